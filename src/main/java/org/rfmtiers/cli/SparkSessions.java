package org.rfmtiers.cli;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.config.JobSettings;

/**
 * Builds (or joins) the SparkSession with Delta enabled. Under spark-submit the master and anything
 * given with --conf win; {@code spark.master} and {@code spark.conf} from the job config fill the gaps,
 * so the same jar runs embedded and on a cluster unchanged.
 */
final class SparkSessions {
  private SparkSessions() {}

  static SparkSession forJob(JobSettings settings) {
    return create(settings.sparkMaster(), settings.sparkConf());
  }

  static SparkSession create(String master, Map<String, String> extra) {
    SparkConf submitted = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName("rfm-tiers")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    if (!submitted.contains("spark.master")) {
      builder = builder.master(master);
    }
    for (Map.Entry<String, String> entry : extra.entrySet()) {
      if (!submitted.contains(entry.getKey())) {
        builder = builder.config(entry.getKey(), entry.getValue());
      }
    }
    return builder.getOrCreate();
  }
}
