package org.rfmtiers;

import org.apache.spark.sql.SparkSession;
import org.rfmtiers.output.NioLocalFileSystem;

/** One local SparkSession per test JVM (it takes seconds to start), tuned for tiny data. */
public final class SparkTestSession {
  private static SparkSession session;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    if (session == null) {
      session =
          SparkSession.builder()
              .appName("rfm-tiers-tests")
              .master("local[2]")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "1")
              .config("spark.default.parallelism", "2")
              .config("spark.databricks.delta.snapshotPartitions", "1")
              .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2")
              .config("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName())
              .config(
                  "spark.hadoop.fs.AbstractFileSystem.file.impl",
                  NioLocalFileSystem.Fs.class.getName())
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .getOrCreate();
    }
    return session;
  }
}
