package org.rfmtiers.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.output.NioLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Builds (or joins) the SparkSession with Delta enabled. Under spark-submit the master and anything
 * given with --conf win; {@code spark.master} and {@code spark.conf} from the job config fill the
 * gaps, so the same jar runs embedded and on a cluster unchanged.
 *
 * <p>In local mode, unless set, defaults sized for one machine: 16 shuffle partitions instead of
 * 200 and 4 Delta log-replay partitions instead of 50 (measured on 2 cores: a 1 M-row run went from
 * 114 s to 73 s, most of it in the Delta writes, 33 s to 16 s, and CLV grouping, 32 s to 6 s), and
 * an uncompressed columnar cache (see below). On any master, the hash aggregations have one level
 * (see {@link #JOB_DEFAULTS}).
 */
public final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);
  private static final Map<String, String> LOCAL_DEFAULTS =
      Map.of(
          "spark.sql.shuffle.partitions", "16",
          "spark.databricks.delta.snapshotPartitions", "4",
          // VACUUM lists a table's folders with this many tasks (Spark's default: 10,000): 3
          // minutes of
          // empty tasks per maintain on 2 cores, 20 s with 8
          "spark.sql.sources.parallelPartitionDiscovery.parallelism", "8",
          // the cached validated lines: compressing them took 30 s instead of 15 s for 10 M lines
          // on 2 cores
          // and saved nothing (752 MB against 777 MB: ids and amounts barely compress)
          "spark.sql.inMemoryColumnarStorage.compressed", "false");

  /**
   * On any master, unless set: no first-level ("fast") hash map in front of the hash aggregations.
   * The job's big aggregations group lines by customer and order, nearly one group a line (44 M
   * orders in 50 M lines), so the 65,536-entry first level is full after the first rows and every
   * later row pays a failed probe there before the real map; without it the RFM aggregation of 10 M
   * lines on 2 cores took 16.0-16.2 s instead of 17.7-19.1 s (two runs each, bench's one-shuffle
   * query).
   *
   * <p>Room for 2,000 generated classes instead of 100: a run plans a few hundred distinct
   * projections, aggregations and Delta log readers, so with Spark's 100 each run compiled most of
   * them again (Janino compiling and Spark generating code were 38 % of a small run's CPU under a
   * profiler). Measured with {@code bench/run 1000000} on 2 cores, same hour: whole job warm 51.7 s
   * → 41.5 s, cold 108 s → 86 s.
   */
  private static final Map<String, String> JOB_DEFAULTS =
      Map.of(
          "spark.sql.codegen.aggregate.map.twolevel.enabled",
          "false",
          "spark.sql.codegen.cache.maxEntries",
          "2000",
          // local paths without a chmod / readlink process per file (NioLocalFileSystem)
          "spark.hadoop.fs.file.impl",
          NioLocalFileSystem.class.getName(),
          "spark.hadoop.fs.AbstractFileSystem.file.impl",
          NioLocalFileSystem.Fs.class.getName());

  private SparkSessions() {}

  public static SparkSession forJob(JobSettings settings) {
    return create(settings.sparkMaster(), settings.sparkConf());
  }

  public static SparkSession create(String master, Map<String, String> extra) {
    SparkConf submitted = new SparkConf();
    Optional<SparkSession> running = running();
    if (running.isPresent()) {
      return joined(running.get(), extra, submitted);
    }
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName("rfm-tiers")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    if (!submitted.contains("spark.master")) {
      builder = builder.master(master);
    }
    Map<String, String> settings = new LinkedHashMap<>(JOB_DEFAULTS);
    if (submitted.get("spark.master", master).startsWith("local")) {
      settings.putAll(LOCAL_DEFAULTS);
    }
    settings.putAll(extra);
    for (Map.Entry<String, String> entry : settings.entrySet()) {
      if (!submitted.contains(entry.getKey())) {
        builder = builder.config(entry.getKey(), entry.getValue());
      }
    }
    return builder.getOrCreate();
  }

  /**
   * The session already running in this JVM (demo: the one generate started; tests; a notebook),
   * with the settings a running session can still take; the others are logged as ignored. Joining
   * through the builder would do the same but log a warning on every run.
   */
  private static SparkSession joined(
      SparkSession session, Map<String, String> extra, SparkConf submitted) {
    Map<String, String> settings = new LinkedHashMap<>(JOB_DEFAULTS);
    if (session.sparkContext().isLocal()) {
      settings.putAll(LOCAL_DEFAULTS);
    }
    settings.putAll(extra);
    settings.forEach(
        (key, value) -> {
          if (submitted.contains(key)) {
            return;
          }
          if (session.conf().isModifiable(key)) {
            session.conf().set(key, value);
          } else if (extra.containsKey(key)) {
            LOG.info(
                "spark.conf.\"{}\" ignored: Spark is already running in this JVM and sets it at start only",
                key);
          }
        });
    return session;
  }

  private static Optional<SparkSession> running() {
    Option<SparkSession> active = SparkSession.getActiveSession();
    Option<SparkSession> session = active.isDefined() ? active : SparkSession.getDefaultSession();
    return session.isDefined() && !session.get().sparkContext().isStopped()
        ? Optional.of(session.get())
        : Optional.empty();
  }
}
