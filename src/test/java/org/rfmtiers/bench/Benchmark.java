package org.rfmtiers.bench;

import static org.apache.spark.sql.functions.*;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.Columns;
import org.rfmtiers.cli.SparkSessions;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.generate.TransactionGenerator;
import org.rfmtiers.job.NightlyJob;
import org.rfmtiers.job.NightlyJob.RunOptions;
import org.rfmtiers.job.ReportJob;
import org.rfmtiers.job.RunResult;
import org.rfmtiers.job.StageCost;
import org.rfmtiers.output.Tables;

/**
 * bench/run's measuring half. {@code run --rows N} (one fresh JVM per size): generates N
 * transactions (N / 40 customers) as Parquet once, runs the whole job cold and then warm in this
 * JVM, times the RFM aggregation alone in Spark and in DuckDB on the same files, checks both agree,
 * and appends one line per size to a CSV file. {@code summary} prints the table and the log-log
 * slope of time vs rows.
 */
public final class Benchmark {
  static final LocalDate AS_OF = LocalDate.of(2026, 1, 1);
  static final int TRANSACTIONS_PER_CUSTOMER = 40;

  /** Columns that differ between any two runs: the run's id, the model ids, a fitting time. */
  static final Set<String> RUN_SPECIFIC =
      Set.of(
          Columns.RUN_ID,
          Columns.TIER_MODEL_ID,
          Columns.PREVIOUS_TIER_MODEL_ID,
          Columns.MODEL_ID,
          Columns.FIT_MS);

  static final String HEADER =
      "recorded_at,commit,rows,customers,cores,max_heap_mb,generate_s,cold_total_s,"
          + "warm_total_s,warm_read_validate_s,warm_features_s,warm_scores_s,warm_tiers_s,warm_clv_s,warm_segments_s,"
          + "warm_write_s,warm_report_s,peak_heap_mb,rows_per_s_per_core,spark_rfm_s,duckdb_rfm_s,spark_duckdb_ratio,"
          + "rfm_customers,rfm_frequency,rfm_monetary,agree,spark_rfm_one_shuffle_s,one_shuffle_ratio,"
          + "job_comparable_s,duckdb_pipeline_s,pipeline_ratio,warm_spark_jobs,warm_driver_only_s";

  private Benchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path results = Path.of(options.getOrDefault("results", "bench/results.csv"));
    long rows = Long.parseLong(options.getOrDefault("rows", "0").replace("_", ""));
    Path dir = Path.of(options.getOrDefault("dir", "target/bench"));
    String set = options.getOrDefault("set", "");
    String commit = options.getOrDefault("commit", "unknown");
    switch (args.length == 0 ? "" : args[0]) {
      case "run" -> run(rows, dir, results, commit);
      case "incremental" ->
          incremental(
              rows, dir, Path.of(options.getOrDefault("results", "bench/incremental.csv")), commit);
      case "repeat" -> repeat(rows, dir, Integer.parseInt(options.getOrDefault("times", "3")), set);
      case "engine" -> engine(rows, dir, options.get("name"), Path.of(options.get("out")), set);
      case "engines" ->
          engines(List.of(options.get("files").split(",")).stream().map(Path::of).toList());
      case "summary" -> {
        summary(results);
        Path incremental =
            Path.of(options.getOrDefault("incremental-results", "bench/incremental.csv"));
        if (Files.exists(incremental)) {
          incrementalSummary(incremental);
        }
      }
      default -> {
        System.err.println(
            "usage: Benchmark run|incremental --rows N [--dir DIR] [--results FILE] [--commit SHA]"
                + " | repeat --rows N [--times K] [--set 'k=v;k=v']"
                + " | engine --rows N --name NAME --out FILE [--set 'k=v;k=v']"
                + " | engines --files A,B,C | summary [--results FILE]");
        System.exit(2);
      }
    }
  }

  /** One line a pipeline stage: wall time, Spark jobs, driver-only time; then the totals. */
  static void printCosts(String which, Map<String, StageCost> costs) {
    System.out.printf(
        Locale.ROOT,
        "  %-5s %-13s %9s %6s %13s%n",
        which,
        "stage",
        "wall s",
        "jobs",
        "driver-only s");
    long wall = 0;
    long driver = 0;
    int jobs = 0;
    for (Map.Entry<String, StageCost> e : costs.entrySet()) {
      StageCost c = e.getValue();
      System.out.printf(
          Locale.ROOT,
          "  %-5s %-13s %9.2f %6d %13.2f%n",
          "",
          e.getKey(),
          c.millis() / 1000.0,
          c.sparkJobs(),
          c.driverOnlyMillis() / 1000.0);
      wall += c.millis();
      driver += c.driverOnlyMillis();
      jobs += c.sparkJobs();
    }
    System.out.printf(
        Locale.ROOT,
        "  %-5s %-13s %9.2f %6d %13.2f%n",
        "",
        "all stages",
        wall / 1000.0,
        jobs,
        driver / 1000.0);
  }

  /**
   * The whole job {@code times} times in one JVM on the size's generated log (generate it with
   * {@code run} first), printing each run's stage costs: the loop for finding a fixed cost. {@code
   * set} holds settings as {@code key=value;key=value}.
   */
  static void repeat(long rows, Path dir, int times, String set) {
    Map<String, String> values = new LinkedHashMap<>(jobValues(rows, dir));
    putSettings(values, set);
    JobSettings settings = SettingsLoader.load(null, values);
    SparkSession spark = SparkSessions.forJob(settings);
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int i = 1; i <= times; i++) {
      long cpu = os.getProcessCpuTime();
      Timed run = job(spark, settings, System.nanoTime());
      // the process's CPU time: on a machine whose speed varies, steadier than the wall time
      log(
          "run %d: %.1f s, report %.1f s, CPU %.1f s",
          i, run.total, run.report, (os.getProcessCpuTime() - cpu) / 1e9);
      printCosts("run " + i, run.result.stageCosts());
    }
  }

  /** Settings given as {@code key=value;key=value}, over {@code values}. */
  private static void putSettings(Map<String, String> values, String set) {
    for (String pair : set.split(";")) {
      if (!pair.isBlank()) {
        values.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
      }
    }
  }

  /**
   * One engine of the comparison; bench/run runs it on the release stack, on Spark 4.1 with Delta
   * 4.1 and on those with DataFusion Comet, each in its own JVM and warehouse. It runs the whole
   * job cold and warm, times the two RFM queries, and digests every column of every snapshot table
   * (an order-free sum of xxhash64 over the snapshot's rows), all written to {@code out} for {@link
   * #engines} to set side by side.
   */
  static void engine(long rows, Path dir, String name, Path out, String set) throws IOException {
    Map<String, String> values = new LinkedHashMap<>(jobValues(rows, dir));
    Path warehouse = dir.resolve("warehouse-engine-" + name + "-" + rows).toAbsolutePath();
    deleteRecursively(warehouse);
    values.put("output.warehouse", warehouse.toString());
    putSettings(values, set);
    Path data = Path.of(values.get("input.uri"));
    if (!Files.exists(data.resolve("_SUCCESS"))) {
      throw new IllegalStateException(
          "no generated log at " + data + ": run bench/run " + rows + " first");
    }
    JobSettings settings = SettingsLoader.load(null, values);
    long t0 = System.nanoTime();
    SparkSession spark = SparkSessions.forJob(settings);
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    Timed cold = job(spark, settings, t0);
    Timed warm = job(spark, settings, System.nanoTime());
    printCosts(name, warm.result.stageCosts());
    double distinct = warmThenTime(spark, countDistinctSql(data)).seconds();
    double oneShuffle = warmThenTime(spark, oneShuffleSql(data)).seconds();

    List<String> lines = new ArrayList<>();
    String plugins = spark.conf().get("spark.plugins", "");
    lines.add(String.join("\t", "engine", name, "Spark " + spark.version() + " " + plugins));
    lines.add(String.join("\t", "time", "whole job cold", Double.toString(cold.total)));
    lines.add(String.join("\t", "time", "whole job warm", Double.toString(warm.total)));
    lines.add(String.join("\t", "time", "report warm", Double.toString(warm.report)));
    warm.result
        .stageCosts()
        .forEach(
            (stage, cost) ->
                lines.add(
                    String.join(
                        "\t", "time", "warm " + stage, Double.toString(cost.millis() / 1000.0))));
    lines.add(String.join("\t", "time", "RFM count(DISTINCT)", Double.toString(distinct)));
    lines.add(String.join("\t", "time", "RFM one shuffle", Double.toString(oneShuffle)));
    for (String table : Tables.SNAPSHOT_TABLES) {
      Path path = warehouse.resolve(table);
      if (!Files.exists(path.resolve("_delta_log"))) {
        continue;
      }
      Dataset<Row> rowsOf =
          spark
              .read()
              .format("delta")
              .load(path.toString())
              .filter(col(Columns.SNAPSHOT_DATE).equalTo(lit(Date.valueOf(AS_OF))));
      List<String> columns =
          List.of(rowsOf.columns()).stream().filter(c -> !RUN_SPECIFIC.contains(c)).toList();
      List<Column> sums = new ArrayList<>();
      for (String c : columns) {
        sums.add(sum(xxhash64(col(c)).cast("decimal(38,0)")).cast("string"));
      }
      Row digest = rowsOf.agg(count(lit(1)).cast("string"), sums.toArray(new Column[0])).head();
      lines.add(String.join("\t", "digest", table, "rows", digest.getString(0)));
      for (int i = 0; i < columns.size(); i++) {
        lines.add(
            String.join(
                "\t", "digest", table, columns.get(i), String.valueOf(digest.getString(i + 1))));
      }
    }
    Files.write(out, lines, StandardCharsets.UTF_8);
    spark.stop();
  }

  /**
   * The engines side by side: each timing in seconds per engine with its ratio to the first, then
   * whether every snapshot table's columns are equal to the first engine's, naming those that are
   * not.
   */
  static void engines(List<Path> files) throws IOException {
    List<String> names = new ArrayList<>();
    List<String> versions = new ArrayList<>();
    Map<String, Map<String, String>> times = new LinkedHashMap<>();
    Map<String, Map<String, String>> digests = new LinkedHashMap<>();
    for (Path file : files) {
      String name = null;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t");
        switch (f[0]) {
          case "engine" -> {
            name = f[1];
            names.add(name);
            versions.add(f[2].strip());
          }
          case "time" -> times.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).put(name, f[2]);
          case "digest" ->
              digests
                  .computeIfAbsent(f[1] + "." + f[2], k -> new LinkedHashMap<>())
                  .put(name, f[3]);
          default -> {}
        }
      }
    }
    System.out.println();
    System.out.println("Engines, the same job and data, one JVM and warehouse each:");
    for (int i = 0; i < names.size(); i++) {
      System.out.printf(Locale.ROOT, "  %-8s %s%n", names.get(i), versions.get(i));
    }
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-24s", "seconds"));
    names.forEach(n -> header.append(String.format(Locale.ROOT, " %16s", n)));
    System.out.println(header);
    times.forEach(
        (what, byEngine) -> {
          StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-24s", what));
          double first = Double.parseDouble(byEngine.getOrDefault(names.get(0), "NaN"));
          for (String n : names) {
            double t = Double.parseDouble(byEngine.getOrDefault(n, "NaN"));
            row.append(
                n.equals(names.get(0))
                    ? String.format(Locale.ROOT, " %16.2f", t)
                    : String.format(Locale.ROOT, " %9.2f (%4.2f)", t, t / first));
          }
          System.out.println(row);
        });
    for (String n : names.subList(1, names.size())) {
      List<String> differing = new ArrayList<>();
      digests.forEach(
          (column, byEngine) -> {
            if (!String.valueOf(byEngine.get(n)).equals(byEngine.get(names.get(0)))) {
              differing.add(column);
            }
          });
      System.out.printf(
          Locale.ROOT,
          "  tables of %s against %s: %s%n",
          n,
          names.get(0),
          differing.isEmpty()
              ? "equal (" + digests.size() + " columns)"
              : differing.size() + " of " + digests.size() + " columns differ: " + differing);
    }
  }

  /** Where a size's generated log lives. */
  private static Path data(Path dir, long rows) {
    return dir.resolve("data/tx-" + rows).toAbsolutePath();
  }

  /** The warehouse of a size's {@code run} and {@code repeat}. */
  private static Path warehouse(Path dir, long rows) {
    return dir.resolve("warehouse-" + rows).toAbsolutePath();
  }

  private static Map<String, String> jobValues(long rows, Path dir) {
    return Map.of(
        "input.uri",
        data(dir, rows).toString(),
        "input.format",
        "parquet",
        "output.warehouse",
        warehouse(dir, rows).toString(),
        "input.cancellation.order-id-prefix",
        "C",
        "input.columns.quantity",
        "quantity",
        "input.columns.unit-price",
        "unit_price");
  }

  static void run(long rows, Path dir, Path results, String commit) throws Exception {
    long customers = Math.max(1, rows / TRANSACTIONS_PER_CUSTOMER);
    Path data = data(dir, rows);
    String warehouse = warehouse(dir, rows).toString();
    JobSettings settings = SettingsLoader.load(null, jobValues(rows, dir));
    long t0 = System.nanoTime();
    SparkSession spark = SparkSessions.forJob(settings);
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    double generateSeconds = 0;
    if (!Files.exists(data.resolve("_SUCCESS"))) {
      long g = System.nanoTime();
      new TransactionGenerator(customers, rows, 7).write(spark, data.toString(), "parquet");
      generateSeconds = seconds(g);
      t0 = System.nanoTime(); // the cold run starts after generation
    }
    int cores = Runtime.getRuntime().availableProcessors();
    log(
        "rows %,d, customers %,d, cores %d, max heap %d MB",
        rows, customers, cores, Runtime.getRuntime().maxMemory() >> 20);

    HeapSampler heap = new HeapSampler();
    Timed cold = job(spark, settings, t0);
    log("cold run %.1f s %s", cold.total, cold.result.stageMillis());
    printCosts("cold", cold.result.stageCosts());
    Timed warm = job(spark, settings, System.nanoTime());
    long peakHeap = heap.stop();
    log(
        "warm run %.1f s %s, peak heap %d MB",
        warm.total, warm.result.stageMillis(), peakHeap >> 20);
    printCosts("warm", warm.result.stageCosts());

    spark.conf().set("spark.sql.session.timeZone", "UTC"); // as DuckDB below
    String sparkSql = countDistinctSql(data);
    Timing plain = warmThenTime(spark, sparkSql);
    Row sparkTotals = plain.totals();
    double sparkSeconds = plain.seconds();
    String oneShuffleSql = oneShuffleSql(data);
    Timing oneShuffle = warmThenTime(spark, oneShuffleSql);
    Row oneShuffleTotals = oneShuffle.totals();
    double oneShuffleSeconds = oneShuffle.seconds();

    String duckSql =
        """
        SELECT count(*), sum(frequency), sum(monetary), sum(recency_days) FROM (
          SELECT customer_id, DATE '%s' - max(CAST(order_ts AS DATE)) AS recency_days,
                 count(DISTINCT order_id) AS frequency, sum(amount) AS monetary
          FROM read_parquet('%s/*.parquet') WHERE customer_id <> '' AND order_ts IS NOT NULL AND amount > 0
          GROUP BY customer_id)"""
            .formatted(AS_OF, data);
    long[] duckCounts = new long[3];
    BigDecimal duckMonetary;
    double duckSeconds;
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET threads = " + cores);
      st.execute("SET TimeZone = 'UTC'");
      st.executeQuery(duckSql).close(); // warm-up
      long d = System.nanoTime();
      try (ResultSet rs = st.executeQuery(duckSql)) {
        rs.next();
        duckCounts[0] = rs.getLong(1);
        duckCounts[1] = rs.getLong(2);
        duckMonetary = rs.getBigDecimal(3);
        duckCounts[2] = rs.getLong(4);
      }
      duckSeconds = seconds(d);
    }
    boolean agree =
        oneShuffleTotals.equals(sparkTotals)
            && sparkTotals.getLong(0) == duckCounts[0]
            && sparkTotals.getLong(1) == duckCounts[1]
            && sparkTotals.getDecimal(2).compareTo(duckMonetary) == 0
            && sparkTotals.getLong(3) == duckCounts[2];
    log(
        "RFM aggregation: Spark %.2f s (one shuffle: %.2f s), DuckDB %.2f s, ratio %.2f (%.2f); customers %d / %d, frequency %d / %d,"
            + " monetary %s / %s, recency %d / %d: %s",
        sparkSeconds,
        oneShuffleSeconds,
        duckSeconds,
        sparkSeconds / duckSeconds,
        oneShuffleSeconds / duckSeconds,
        sparkTotals.getLong(0),
        duckCounts[0],
        sparkTotals.getLong(1),
        duckCounts[1],
        sparkTotals.getDecimal(2),
        duckMonetary,
        sparkTotals.getLong(3),
        duckCounts[2],
        agree ? "agree" : "DISAGREE");

    DuckPipeline duck =
        duckPipeline(data, dir.resolve("duck-customers-" + rows + ".parquet"), cores);
    Map<String, Long> stages = warm.result.stageMillis();
    double comparable = COMPARABLE_STAGES.stream().mapToDouble(stage -> ms(stages, stage)).sum();
    Row jobTotals =
        spark
            .read()
            .format("delta")
            .load(warehouse + "/customer_rfm")
            .filter(col("snapshot_date").equalTo(lit(Date.valueOf(AS_OF))))
            .agg(count(lit(1)), sum("frequency"), sum("monetary"))
            .head();
    boolean pipelineAgrees =
        jobTotals.getLong(0) == duck.customers()
            && jobTotals.getLong(1) == duck.frequency()
            && jobTotals.getDecimal(2).compareTo(duck.monetary()) == 0;
    log(
        "whole pipeline without k-means and CLV: job %.2f s (%s, warm) / DuckDB %.2f s = ratio %.2f;"
            + " customers %d / %d, frequency %d / %d, monetary %s / %s: %s",
        comparable,
        String.join("+", COMPARABLE_STAGES),
        duck.seconds(),
        comparable / duck.seconds(),
        jobTotals.getLong(0),
        duck.customers(),
        jobTotals.getLong(1),
        duck.frequency(),
        jobTotals.getDecimal(2),
        duck.monetary(),
        pipelineAgrees ? "agree" : "DISAGREE");
    agree = agree && pipelineAgrees;

    Map<String, Long> st = warm.result.stageMillis();
    String line =
        String.join(
            ",",
            Instant.now().toString(),
            commit,
            String.valueOf(rows),
            String.valueOf(warm.result.customers()),
            String.valueOf(cores),
            String.valueOf(Runtime.getRuntime().maxMemory() >> 20),
            f(generateSeconds),
            f(cold.total),
            f(warm.total),
            f(ms(st, "read") + ms(st, "validate")),
            f(ms(st, "sum") + ms(st, "features")),
            f(ms(st, "scores")),
            f(ms(st, "tiers")),
            f(ms(st, "clv")),
            f(ms(st, "segments") + ms(st, "summary")),
            f(ms(st, "write")),
            f(warm.report),
            String.valueOf(peakHeap >> 20),
            f(rows / warm.total / cores),
            f(sparkSeconds),
            f(duckSeconds),
            f(sparkSeconds / duckSeconds),
            String.valueOf(duckCounts[0]),
            String.valueOf(duckCounts[1]),
            duckMonetary.toPlainString(),
            String.valueOf(agree),
            f(oneShuffleSeconds),
            f(oneShuffleSeconds / duckSeconds),
            f(comparable),
            f(duck.seconds()),
            f(comparable / duck.seconds()),
            String.valueOf(
                warm.result.stageCosts().values().stream().mapToInt(StageCost::sparkJobs).sum()),
            f(
                warm.result.stageCosts().values().stream()
                        .mapToLong(StageCost::driverOnlyMillis)
                        .sum()
                    / 1000.0));
    append(results, HEADER, line);
    spark.stop();
    if (!agree) {
      System.exit(1);
    }
  }

  static final String INCREMENTAL_HEADER =
      "recorded_at,commit,rows,new_rows,late_rows,customers,cores,build_s,full_s,"
          + "incremental_s,incremental_full_ratio,equal,incremental_stages";

  /**
   * One night's increment against a full recompute: N transactions up to {@link #AS_OF}, then a
   * file of 0.3 % more dated the next day (5 % of them late, dated in the last month). Run A (full,
   * building the incremental state) publishes AS_OF; run C, a plain full run over both inputs,
   * publishes the next day and its customer_rfm is kept aside; run B, {@code --incremental},
   * publishes the same day again from the state. B and C run warm; B's customer_rfm must equal C's.
   */
  static void incremental(long rows, Path dir, Path results, String commit) throws Exception {
    long customers = Math.max(1, rows / TRANSACTIONS_PER_CUSTOMER);
    Path data = data(dir, rows);
    Path day = dir.resolve("data/day-" + rows).toAbsolutePath();
    Path warehouse = dir.resolve("warehouse-incremental-" + rows).toAbsolutePath();
    deleteRecursively(warehouse);
    Map<String, String> base =
        new LinkedHashMap<>(
            Map.of(
                "input.format",
                "parquet",
                "output.warehouse",
                warehouse.toString(),
                "input.cancellation.order-id-prefix",
                "C",
                "input.columns.quantity",
                "quantity",
                "input.columns.unit-price",
                "unit_price",
                "report.enabled",
                "false"));
    base.put("input.uri", data.toString());
    JobSettings history = SettingsLoader.load(null, base);
    base.put("input.uri", data + "," + day);
    JobSettings nextDay = SettingsLoader.load(null, base);
    SparkSession spark = SparkSessions.forJob(history);
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    if (!Files.exists(data.resolve("_SUCCESS"))) {
      new TransactionGenerator(customers, rows, 7).write(spark, data.toString(), "parquet");
    }
    long newRows = Math.max(1, rows * 3 / 1000);
    if (!Files.exists(day.resolve("_SUCCESS"))) {
      Dataset<Row> generated =
          new TransactionGenerator(Math.max(1, newRows / 10), newRows, 8).generate(spark);
      Column late = pmod(xxhash64(col("order_id")), lit(20)).equalTo(0);
      Column lateDay =
          lpad(pmod(xxhash64(col("order_id"), lit("day")), lit(30)).plus(1).cast("string"), 2, "0");
      Column date = when(late, concat(lit("2025-12-"), lateDay)).otherwise(lit(AS_OF.toString()));
      // the next day's lines: new order ids (D after the first letter), the time of day kept
      TransactionGenerator.typed(
              generated
                  .withColumn(
                      "order_id",
                      concat(
                          substring(col("order_id"), 1, 1),
                          lit("D"),
                          substring(col("order_id"), 2, 20)))
                  .withColumn(
                      "order_ts",
                      when(
                              col("order_ts").rlike("^\\d{4}-"),
                              concat(date, substring(col("order_ts"), 11, 9)))
                          .otherwise(col("order_ts"))))
          .coalesce(1)
          .write()
          .mode("overwrite")
          .parquet(day.toString());
    }
    long lateRows =
        spark
            .read()
            .parquet(day.toString())
            .filter(col("order_ts").lt(lit(Date.valueOf(AS_OF))))
            .count();
    LocalDate next = AS_OF.plusDays(1);
    log(
        "incremental: %,d rows to %s, then %,d more (%,d late) for %s",
        rows, AS_OF, newRows, lateRows, next);

    long a = System.nanoTime();
    new NightlyJob(spark, history, Clock.systemUTC())
        .run(RunOptions.of(data.toString(), Optional.of(AS_OF)).withIncremental(true));
    double build = seconds(a);
    log("A: full run building the state: %.1f s", build);
    long c = System.nanoTime();
    RunResult full =
        new NightlyJob(spark, nextDay, Clock.systemUTC())
            .run(RunOptions.of(data + "," + day, Optional.of(next)));
    double fullSeconds = seconds(c);
    log("C: full recompute of %s: %.1f s %s", next, fullSeconds, full.stageMillis());
    String kept = dir.resolve("incremental-full-rfm-" + rows).toAbsolutePath().toString();
    spark
        .read()
        .format("delta")
        .load(warehouse + "/customer_rfm")
        .filter(col("snapshot_date").equalTo(lit(Date.valueOf(next))))
        .drop("run_id")
        .write()
        .mode("overwrite")
        .parquet(kept);
    long b = System.nanoTime();
    RunResult incremental =
        new NightlyJob(spark, nextDay, Clock.systemUTC())
            .run(RunOptions.of(data + "," + day, Optional.of(next)).withIncremental(true));
    double incrementalSeconds = seconds(b);
    log(
        "B: incremental run of %s (%s): %.1f s %s",
        next, incremental.mode(), incrementalSeconds, incremental.stageMillis());
    Dataset<Row> fromState =
        spark
            .read()
            .format("delta")
            .load(warehouse + "/customer_rfm")
            .filter(col("snapshot_date").equalTo(lit(Date.valueOf(next))))
            .drop("run_id");
    Dataset<Row> recomputed = spark.read().parquet(kept);
    boolean equal =
        fromState.count() == recomputed.count()
            && fromState.exceptAll(recomputed).isEmpty()
            && recomputed.exceptAll(fromState).isEmpty();
    log(
        "incremental / full: %.1f / %.1f s = %.3f; customer_rfm %s",
        incrementalSeconds,
        fullSeconds,
        incrementalSeconds / fullSeconds,
        equal ? "equal" : "DIFFERENT");
    String line =
        String.join(
            ",",
            Instant.now().toString(),
            commit,
            String.valueOf(rows),
            String.valueOf(newRows),
            String.valueOf(lateRows),
            String.valueOf(incremental.customers()),
            String.valueOf(Runtime.getRuntime().availableProcessors()),
            f(build),
            f(fullSeconds),
            f(incrementalSeconds),
            String.format(Locale.ROOT, "%.3f", incrementalSeconds / fullSeconds),
            String.valueOf(equal),
            "\"" + incremental.stageMillis() + "\"");
    append(results, INCREMENTAL_HEADER, line);
    spark.stop();
    if (!equal) {
      System.exit(1);
    }
  }

  /** Appends one line to a results CSV, writing its header first when the file is new. */
  private static void append(Path results, String header, String line) throws IOException {
    if (!Files.exists(results)) {
      Files.createDirectories(results.toAbsolutePath().getParent());
      Files.writeString(results, header + "\n", StandardCharsets.UTF_8);
    }
    Files.writeString(results, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    log("appended to %s", results);
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private record Timed(RunResult result, double total, double report) {}

  /** The job's stages that the DuckDB pipeline also does (not the tiers' k-means, not CLV). */
  static final List<String> COMPARABLE_STAGES =
      List.of(
          "list",
          "read",
          "validate",
          "sum",
          "features",
          "scores",
          "segments",
          "summary",
          "reconcile",
          "write");

  private record DuckPipeline(
      double seconds, long customers, long frequency, BigDecimal monetary) {}

  /**
   * The nightly computation without k-means and CLV, in DuckDB (in-process, all cores): validate
   * every line with the job's rules for this log (order id, timestamp and its range, quantity and
   * price; blank customer ids are anonymous; C orders and negative amounts are returns), count the
   * rejects by reason, sum RFM per customer before the as-of date (exclude policy, frequency by
   * distinct order), quintile scores 1-5, the 8 RFM segments against the medians, the pyramid by
   * monetary, a per-segment summary, and the per-customer table written as Parquet. Run twice; the
   * second run is timed. The scores use ntile (equal counts), the job exact quintile thresholds, so
   * only the sums are compared.
   */
  static DuckPipeline duckPipeline(Path data, Path out, int cores) throws Exception {
    String validate =
        """
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT NULLIF(trim(customer_id), '') AS customer_id, NULLIF(trim(order_id), '') AS order_id,
               CAST(order_ts AS DATE) AS order_date, quantity * unit_price AS amount,
               CASE WHEN order_id IS NULL OR trim(order_id) = '' THEN 'MISSING_ORDER_ID'
                    WHEN order_ts IS NULL THEN 'BAD_TIMESTAMP'
                    WHEN order_ts < TIMESTAMP '1900-01-01' OR CAST(order_ts AS DATE) > current_date + 1
                      THEN 'TIMESTAMP_OUT_OF_RANGE'
                    WHEN quantity IS NULL OR unit_price IS NULL THEN 'BAD_AMOUNT' END AS reject_reason
        FROM read_parquet('%s/*.parquet')"""
            .formatted(data);
    String customers =
        """
        CREATE OR REPLACE TEMP TABLE customers AS
        WITH valid AS (
          SELECT customer_id, coalesce(order_id, CAST(order_date AS VARCHAR)) AS order_key, order_date, amount,
                 (starts_with(order_id, 'C') OR amount < 0) AS is_return
          FROM checked
          WHERE reject_reason IS NULL AND customer_id IS NOT NULL AND order_date < DATE '%1$s'),
        rfm AS (
          SELECT customer_id,
                 DATE '%1$s' - max(order_date) FILTER (WHERE NOT is_return) AS recency_days,
                 count(DISTINCT order_key) FILTER (WHERE NOT is_return) AS frequency,
                 coalesce(sum(amount) FILTER (WHERE NOT is_return), 0) AS monetary,
                 DATE '%1$s' - min(order_date) FILTER (WHERE NOT is_return) AS tenure_days
          FROM valid GROUP BY customer_id),
        scored AS (
          SELECT *, 6 - ntile(5) OVER (ORDER BY recency_days) AS r_score,
                 ntile(5) OVER (ORDER BY frequency) AS f_score, ntile(5) OVER (ORDER BY monetary) AS m_score,
                 sum(monetary) OVER (ORDER BY monetary DESC ROWS UNBOUNDED PRECEDING)
                   / sum(monetary) OVER () AS value_share_above,
                 row_number() OVER (ORDER BY monetary DESC) / count(*) OVER () AS rank_share
          FROM rfm WHERE frequency > 0),
        medians AS (
          SELECT median(recency_days) AS r, median(frequency) AS f, median(monetary) AS m FROM scored)
        SELECT s.*,
               CASE WHEN s.monetary > m.m THEN 'IMPORTANT_' ELSE 'GENERAL_' END
               || CASE WHEN s.recency_days < m.r AND s.frequency > m.f THEN 'VALUE'
                       WHEN s.recency_days < m.r THEN 'DEVELOP'
                       WHEN s.frequency > m.f THEN 'RETAIN' ELSE 'WINBACK' END AS rfm_segment,
               CASE WHEN s.rank_share <= 0.01 THEN 'VIP' WHEN s.rank_share <= 0.05 THEN 'MAJOR'
                    WHEN s.rank_share <= 0.20 THEN 'ORDINARY' ELSE 'SMALL' END AS customer_layer
        FROM scored s, medians m
        UNION ALL BY NAME
        SELECT * FROM rfm WHERE frequency = 0"""
            .formatted(AS_OF);
    String rejects = "SELECT reject_reason, count(*) FROM checked GROUP BY reject_reason";
    String summary =
        "SELECT rfm_segment, count(*), sum(monetary), avg(recency_days), avg(frequency)"
            + " FROM customers GROUP BY rfm_segment";
    String write = "COPY customers TO '%s' (FORMAT PARQUET)".formatted(out);
    String totals = "SELECT count(*), sum(frequency), sum(monetary) FROM customers";
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET threads = " + cores);
      st.execute("SET TimeZone = 'UTC'");
      double seconds = 0;
      for (int run = 0; run < 2; run++) {
        Files.deleteIfExists(out);
        long start = System.nanoTime();
        st.execute(validate);
        st.executeQuery(rejects).close();
        st.execute(customers);
        st.executeQuery(summary).close();
        st.execute(write);
        seconds = seconds(start);
      }
      try (ResultSet rs = st.executeQuery(totals)) {
        rs.next();
        return new DuckPipeline(seconds, rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3));
      }
    }
  }

  private record Timing(Row totals, double seconds) {}

  /** The RFM aggregation as one would write it: count(DISTINCT order_id) per customer. */
  static String countDistinctSql(Path data) {
    return """
        SELECT count(*), sum(frequency), sum(monetary), sum(recency_days) FROM (
          SELECT customer_id, datediff(DATE'%s', max(to_date(order_ts))) AS recency_days,
                 count(DISTINCT order_id) AS frequency, sum(amount) AS monetary
          FROM parquet.`%s` WHERE customer_id <> '' AND order_ts IS NOT NULL AND amount > 0
          GROUP BY customer_id)"""
        .formatted(AS_OF, data);
  }

  /**
   * The same aggregation written as the job's features are: rows hash-partitioned by customer once,
   * then per order and per customer, both aggregations reusing that partitioning.
   */
  static String oneShuffleSql(Path data) {
    return """
        SELECT count(*), sum(frequency), sum(monetary), sum(recency_days) FROM (
          SELECT customer_id, datediff(DATE'%s', max(last_date)) AS recency_days, count(*) AS frequency,
                 sum(order_amount) AS monetary
          FROM (SELECT customer_id, order_id, max(to_date(order_ts)) AS last_date, sum(amount) AS order_amount
                FROM (SELECT customer_id, order_id, order_ts, amount FROM parquet.`%s`
                      WHERE customer_id <> '' AND order_ts IS NOT NULL AND amount > 0 DISTRIBUTE BY customer_id)
                GROUP BY customer_id, order_id)
          GROUP BY customer_id)"""
        .formatted(AS_OF, data);
  }

  /** Runs a query once to warm up, then times a second run of it. */
  private static Timing warmThenTime(SparkSession spark, String sql) {
    spark.sql(sql).collectAsList();
    long start = System.nanoTime();
    Row totals = spark.sql(sql).head();
    return new Timing(totals, seconds(start));
  }

  /** The whole job with its report, drawn as `rfm-tiers run` draws it (from the run's rows). */
  private static Timed job(SparkSession spark, JobSettings settings, long start) {
    double[] report = new double[1];
    RunResult result =
        new NightlyJob(spark, settings, Clock.systemUTC())
            .run(
                RunOptions.of(settings.input().uri().orElseThrow(), Optional.of(AS_OF)),
                published -> {
                  long r = System.nanoTime();
                  new ReportJob(spark, settings).write(published);
                  report[0] = seconds(r);
                });
    return new Timed(result, seconds(start), report[0]);
  }

  /**
   * Prints every recorded line as a table and the slope of warm total time against rows (log-log).
   */
  static void summary(Path results) throws IOException {
    if (!Files.exists(results)) {
      return; // BENCH_MAIN=0 with a new results file: nothing recorded yet
    }
    List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
    List<String> header = List.of(lines.get(0).split(","));
    System.out.printf(
        Locale.ROOT,
        "%-12s %-9s %12s %10s %8s %8s %8s %9s %9s %8s %8s %8s %9s %6s %8s%n",
        "commit",
        "rows",
        "customers",
        "cold s",
        "warm s",
        "tiers s",
        "write s",
        "heap MB",
        "rows/s/c",
        "RFM s/d",
        "ratio",
        "1-shuf",
        "pipeline",
        "jobs",
        "driver s");
    Map<Long, double[]> latest = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(",");
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size() && i < v.length; i++) {
        row.put(header.get(i), v[i]);
      }
      System.out.printf(
          Locale.ROOT,
          "%-12s %-9s %12s %10s %8s %8s %8s %9s %9s %8s %8s %8s %9s %6s %8s%n",
          row.get("commit"),
          row.get("rows"),
          row.get("customers"),
          row.get("cold_total_s"),
          row.get("warm_total_s"),
          row.get("warm_tiers_s"),
          row.get("warm_write_s"),
          row.get("peak_heap_mb"),
          row.get("rows_per_s_per_core"),
          row.get("spark_rfm_s") + "/" + row.get("duckdb_rfm_s"),
          row.get("spark_duckdb_ratio"),
          row.getOrDefault("one_shuffle_ratio", "-"),
          row.getOrDefault("pipeline_ratio", "-"),
          row.getOrDefault("warm_spark_jobs", "-"),
          row.getOrDefault("warm_driver_only_s", "-"));
      latest.put(
          Long.parseLong(row.get("rows")),
          new double[] {
            Double.parseDouble(row.get("warm_total_s")), Double.parseDouble(row.get("spark_rfm_s"))
          });
    }
    if (latest.size() >= 2) {
      System.out.printf(
          Locale.ROOT,
          "slope of log(time) vs log(rows), latest line per size: whole job %.2f, RFM aggregation %.2f%n",
          slope(latest, 0),
          slope(latest, 1));
    }
  }

  /** Prints the incremental-vs-full lines. */
  static void incrementalSummary(Path results) throws IOException {
    List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
    List<String> header = List.of(lines.get(0).split(","));
    System.out.printf(
        Locale.ROOT,
        "%nincremental night vs full recompute (warm):%n%-12s %-9s %9s %9s %9s %9s %7s %6s%n",
        "commit",
        "rows",
        "new rows",
        "build s",
        "full s",
        "incr s",
        "ratio",
        "equal");
    for (String line : lines.subList(1, lines.size())) {
      String[] v = line.split(",", header.size());
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size() && i < v.length; i++) {
        row.put(header.get(i), v[i]);
      }
      System.out.printf(
          Locale.ROOT,
          "%-12s %-9s %9s %9s %9s %9s %7s %6s%n",
          row.get("commit"),
          row.get("rows"),
          row.get("new_rows"),
          row.get("build_s"),
          row.get("full_s"),
          row.get("incremental_s"),
          row.get("incremental_full_ratio"),
          row.get("equal"));
    }
  }

  /** Least-squares slope of log(y) on log(rows). */
  static double slope(Map<Long, double[]> byRows, int index) {
    List<double[]> points = new ArrayList<>();
    byRows.forEach((rows, y) -> points.add(new double[] {Math.log(rows), Math.log(y[index])}));
    double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
    double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
    double num = 0;
    double den = 0;
    for (double[] p : points) {
      num += (p[0] - mx) * (p[1] - my);
      den += (p[0] - mx) * (p[0] - mx);
    }
    return num / den;
  }

  /** The largest heap in use (live and garbage), sampled every 20 ms: at most -Xmx. */
  private static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();
    private final ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "heap-sampler");
              thread.setDaemon(true);
              return thread;
            });

    HeapSampler() {
      sampler.scheduleAtFixedRate(
          () ->
              peak.accumulateAndGet(
                  ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max),
          0,
          20,
          TimeUnit.MILLISECONDS);
    }

    long stop() {
      sampler.shutdownNow();
      return peak.get();
    }
  }

  private static double ms(Map<String, Long> stages, String stage) {
    return stages.getOrDefault(stage, 0L) / 1000.0;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String f(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private static void log(String format, Object... args) {
    System.out.println("bench: " + String.format(Locale.ROOT, format, args));
  }
}
