package org.rfmtiers;

import org.apache.spark.sql.SparkSession;
import org.rfmtiers.output.NioLocalFileSystem;

/** One local SparkSession per test JVM (it takes seconds to start), tuned for tiny data. */
public final class SparkTestSession {
  private static final boolean CODEGEN = Boolean.getBoolean("tests.codegen");
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
              // Tests run the job on tens of customers, where compiling generated code costs more
              // than the data: a 200-customer run took 31-40 s warm with code generation and
              // 21-24 s interpreted (the first run 70 s and 51 s). Interpreted evaluation is
              // Spark's own fallback with the same semantics; the code-generated path is what
              // .ci/run's demo, bin/cluster-test and bench/run (with its equality checks) run.
              // (-Dtests.codegen=true runs the tests code-generated).
              .config("spark.sql.codegen.wholeStage", String.valueOf(CODEGEN))
              .config("spark.sql.codegen.factoryMode", CODEGEN ? "FALLBACK" : "NO_CODEGEN")
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
