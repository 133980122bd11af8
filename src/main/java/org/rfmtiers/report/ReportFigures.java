package org.rfmtiers.report;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Everything the report shows about one snapshot, small enough for the driver: per-tier rows and
 * quantiles, per-segment rows, the migration cells, binned CLV, the run's data-quality counts.
 * Built from the snapshot's tables by {@link #of}; every collect is bounded by tiers, segments,
 * bins or {@code topCustomers}.
 */
public record ReportFigures(
    LocalDate snapshot,
    RunFigures run,
    List<TierFigures> tiers,
    Map<Integer, Double> silhouetteByK,
    Map<String, List<SegmentFigures>> segmentsByScheme,
    Optional<LocalDate> previousSnapshot,
    List<MigrationCell> migration,
    Optional<ClvFigures> clv,
    Map<String, Long> rejectsByReason,
    List<Map<String, Object>> topCustomers,
    AnalystFigures analyst) {
  private static final DateTimeFormatter SECONDS_UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /** The run_log row of the run that wrote the snapshot. */
  public record RunFigures(
      String runId,
      String startedAt,
      String finishedAt,
      String inputUri,
      long rowsRead,
      long rowsValid,
      long rowsRejected,
      long rowsAfterAsOf,
      long customers,
      int k,
      String kSelection,
      Double silhouette,
      BigDecimal monetaryTotal,
      boolean reconciled,
      Map<String, Long> stageMillis,
      List<String> warnings,
      String tierModel,
      Optional<String> anonymousRevenue) {}

  /** p5, p25, median, p75, p95 of one metric in one tier. */
  public record Spread(double p5, double p25, double median, double p75, double p95) {}

  public record TierFigures(
      int tier,
      String name,
      long customers,
      double customerShare,
      double revenueShare,
      BigDecimal revenue,
      double centreRecencyDays,
      double centreFrequency,
      double centreMonetary,
      Spread recencyDays,
      Spread frequency,
      Spread monetary) {}

  public record SegmentFigures(
      String code,
      String name,
      long customers,
      BigDecimal revenue,
      double customerShare,
      double revenueShare,
      double meanRecencyDays,
      double meanFrequency,
      double meanMonetary) {}

  /** Customers moving from a tier (null: new) to a tier (null: lost). */
  public record MigrationCell(Integer fromTier, Integer toTier, long customers) {}

  /**
   * Customers per bin [lower, upper); a lower bound of -1 marks the bin of everything below its
   * upper bound.
   */
  public record Histogram(List<Double> lowerBounds, List<Double> upperBounds, List<Long> counts) {}

  public record ClvFigures(
      String horizon,
      Map<String, Double> parameters,
      Histogram value,
      Histogram probabilityAlive,
      double totalValue) {}

  /**
   * The snapshot's rows of each table the report reads (filtered to the snapshot by the caller).
   */
  public record Snapshot(
      LocalDate date,
      Row runLog,
      Dataset<Row> customers,
      Dataset<Row> tierSummary,
      Dataset<Row> segmentSummary,
      Dataset<Row> migration,
      Dataset<Row> rejected,
      Optional<Dataset<Row>> customerClv,
      Optional<Row> clvModel) {}

  private static final List<String> PIPELINE =
      List.of(
          "list",
          "read",
          "validate",
          "sum",
          "fold",
          "months",
          "features",
          "scores",
          "tiers",
          "clv",
          "segments",
          "churn",
          "cohorts",
          "summary",
          "reconcile",
          "write",
          "state-commit");
  private static final double[] SPREAD = {0.05, 0.25, 0.5, 0.75, 0.95};

  /** CLV bins are equal on a log scale: four per power of ten from 1 up; one bin below 1. */
  private static final int BINS_PER_DECADE = 4;

  private static final int P_ALIVE_BINS = 20;

  /**
   * The figures of {@code s}, their queries run on {@code queries} a few at a time, with the
   * analyst sections' figures ({@link AnalystFigures#submit}, whose queries run beside these).
   */
  public static ReportFigures of(
      Snapshot s, int topCustomers, Supplier<AnalystFigures> analyst, FigureQueries queries) {
    CompletableFuture<Map<Integer, Spread[]>> spreads =
        queries.submit(() -> spreads(s.customers()));
    CompletableFuture<List<Row>> tierRows =
        queries.submit(() -> s.tierSummary().orderBy(TIER).collectAsList()); // k rows
    CompletableFuture<Map<String, List<SegmentFigures>>> segments =
        queries.submit(() -> segments(s.segmentSummary()));
    CompletableFuture<Migration> migration = queries.submit(() -> migration(s.migration()));
    CompletableFuture<Map<String, Long>> rejects = queries.submit(() -> rejects(s.rejected()));
    CompletableFuture<Optional<ClvFigures>> clv =
        queries.submit(() -> s.customerClv().flatMap(c -> s.clvModel().map(m -> clvFigures(c, m))));
    CompletableFuture<List<Map<String, Object>>> top =
        queries.submit(() -> topCustomers(s, topCustomers));
    Migration moved = FigureQueries.join(migration);
    return new ReportFigures(
        s.date(),
        runFigures(s.runLog()),
        tiers(FigureQueries.join(tierRows), FigureQueries.join(spreads)),
        silhouette(s.runLog()),
        FigureQueries.join(segments),
        moved.previous(),
        moved.cells(),
        FigureQueries.join(clv),
        FigureQueries.join(rejects),
        FigureQueries.join(top),
        analyst.get());
  }

  /** Each tier's tier_summary row with the spread of its customers' R, F and M. */
  private static List<TierFigures> tiers(List<Row> tierSummary, Map<Integer, Spread[]> spreads) {
    List<TierFigures> tiers = new ArrayList<>();
    for (Row r : tierSummary) {
      int tier = r.getAs(TIER);
      Spread[] spread = spreads.getOrDefault(tier, new Spread[3]);
      // the medians are tier_summary's own: the page shows one figure for one thing
      spread =
          new Spread[] {
            withMedian(spread[0], r.getAs(MEDIAN_RECENCY_DAYS)),
            withMedian(spread[1], r.getAs(MEDIAN_FREQUENCY)),
            withMedian(spread[2], r.getAs(MEDIAN_MONETARY))
          };
      tiers.add(
          new TierFigures(
              tier,
              r.getAs(TIER_NAME),
              r.<Long>getAs(CUSTOMERS),
              r.<Double>getAs(CUSTOMER_SHARE),
              orZero(r.getAs(REVENUE_SHARE)),
              r.getAs(REVENUE),
              r.<Double>getAs(CENTRE_RECENCY_DAYS),
              r.<Double>getAs(CENTRE_FREQUENCY),
              r.<Number>getAs(CENTRE_MONETARY).doubleValue(),
              spread[0],
              spread[1],
              spread[2]));
    }
    return tiers;
  }

  private static Map<String, List<SegmentFigures>> segments(Dataset<Row> segmentSummary) {
    Map<String, List<SegmentFigures>> segments = new LinkedHashMap<>();
    for (Row r :
        segmentSummary.orderBy(col(SCHEME), col(CUSTOMERS).desc(), col(SEGMENT)).collectAsList()) {
      segments
          .computeIfAbsent(r.getAs(SCHEME), scheme -> new ArrayList<>())
          .add(
              new SegmentFigures(
                  r.getAs(SEGMENT),
                  r.getAs(SEGMENT_NAME),
                  r.<Long>getAs(CUSTOMERS),
                  r.getAs(REVENUE),
                  r.<Double>getAs(CUSTOMER_SHARE),
                  orZero(r.getAs(REVENUE_SHARE)),
                  orZero(r.getAs(MEAN_RECENCY_DAYS)),
                  orZero(r.getAs(MEAN_FREQUENCY)),
                  r.isNullAt(r.fieldIndex(MEAN_MONETARY))
                      ? 0
                      : r.<Number>getAs(MEAN_MONETARY).doubleValue()));
    }
    return segments;
  }

  /** The migration matrix's cells and the previous snapshot they move from (none: first run). */
  private record Migration(Optional<LocalDate> previous, List<MigrationCell> cells) {}

  private static Migration migration(Dataset<Row> tierMigration) {
    Optional<LocalDate> previous = Optional.empty();
    List<MigrationCell> migration = new ArrayList<>();
    for (Row r : tierMigration.collectAsList()) { // (k + 1)^2 rows at most
      if (r.isNullAt(r.fieldIndex(PREVIOUS_SNAPSHOT_DATE))) {
        continue;
      }
      previous = Optional.of(r.<Date>getAs(PREVIOUS_SNAPSHOT_DATE).toLocalDate());
      migration.add(
          new MigrationCell(r.getAs(FROM_TIER), r.getAs(TO_TIER), r.<Long>getAs(CUSTOMERS)));
    }
    return new Migration(previous, migration);
  }

  private static Map<String, Long> rejects(Dataset<Row> rejected) {
    Map<String, Long> rejects = new TreeMap<>();
    for (Row r : rejected.groupBy(REJECT_REASON).count().collectAsList()) { // one row per reason
      rejects.put(r.getString(0), r.getLong(1));
    }
    return rejects;
  }

  private static Spread withMedian(Spread spread, Number median) {
    if (spread == null || median == null) {
      return spread;
    }
    return new Spread(spread.p5(), spread.p25(), median.doubleValue(), spread.p75(), spread.p95());
  }

  private static RunFigures runFigures(Row log) {
    Map<String, Long> stages = new LinkedHashMap<>();
    if (!log.isNullAt(log.fieldIndex(STAGE_MS))) {
      // a map column keeps no order: the job's stages in pipeline order, then any other
      Map<String, Long> stored = log.getJavaMap(log.fieldIndex(STAGE_MS));
      PIPELINE.stream()
          .filter(stored::containsKey)
          .forEach(stage -> stages.put(stage, stored.get(stage)));
      new TreeMap<>(stored).forEach(stages::putIfAbsent);
    }
    List<String> warnings =
        log.isNullAt(log.fieldIndex(WARNINGS)) ? List.of() : log.getList(log.fieldIndex(WARNINGS));
    return new RunFigures(
        log.getAs(RUN_ID),
        instant(log.getAs(STARTED_AT)),
        instant(log.getAs(FINISHED_AT)),
        log.getAs(INPUT_URI),
        log.<Long>getAs(ROWS_READ),
        log.<Long>getAs(ROWS_VALID),
        log.<Long>getAs(ROWS_REJECTED),
        log.<Long>getAs(ROWS_AFTER_AS_OF),
        log.<Long>getAs(CUSTOMERS),
        log.<Integer>getAs(K),
        log.getAs(K_SELECTION),
        log.getAs(SILHOUETTE),
        log.getAs(MONETARY_TOTAL),
        Boolean.TRUE.equals(log.getAs(RECONCILED)),
        stages,
        List.copyOf(warnings),
        tierModel(log),
        anonymousRevenue(log));
  }

  /**
   * The tier model of the run: its id and whether the run trained it (why) or reused it; empty for
   * a run_log row written before tier models were kept.
   */
  /**
   * The anonymous lines' amount and its share of the valid amount (lines without a customer id,
   * input.anonymous = separate), as the report's data-quality figure; empty when there are none.
   */
  private static Optional<String> anonymousRevenue(Row log) {
    List<String> fields = List.of(log.schema().fieldNames());
    if (!fields.contains(ANONYMOUS_AMOUNT) || log.isNullAt(log.fieldIndex(ANONYMOUS_AMOUNT))) {
      return Optional.empty();
    }
    BigDecimal anonymous = log.getAs(ANONYMOUS_AMOUNT);
    BigDecimal valid = log.getAs(VALID_AMOUNT);
    if (anonymous.signum() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "%s (%.1f %% of the valid amount), %,d rows",
            anonymous.toPlainString(),
            valid == null || valid.signum() == 0
                ? 0.0
                : 100 * anonymous.doubleValue() / valid.doubleValue(),
            log.<Long>getAs(ROWS_ANONYMOUS)));
  }

  private static String tierModel(Row log) {
    List<String> fields = List.of(log.schema().fieldNames());
    if (!fields.contains(TIER_MODEL_ID) || log.isNullAt(log.fieldIndex(TIER_MODEL_ID))) {
      return "";
    }
    String reason =
        log.isNullAt(log.fieldIndex(TIER_MODEL_REASON)) ? null : log.getAs(TIER_MODEL_REASON);
    return log.<String>getAs(TIER_MODEL_ID)
        + (reason == null ? ", reused" : ", trained this run: " + reason);
  }

  private static Map<Integer, Double> silhouette(Row log) {
    Map<Integer, Double> byK = new TreeMap<>();
    if (!log.isNullAt(log.fieldIndex(SILHOUETTE_BY_K))) {
      log.<Integer, Double>getJavaMap(log.fieldIndex(SILHOUETTE_BY_K)).forEach(byK::put);
    }
    return byK;
  }

  /**
   * Per tier: the spread of recency, frequency and monetary, exact percentiles like tier_summary's
   * medians (which replace the median here).
   */
  private static Map<Integer, Spread[]> spreads(Dataset<Row> customers) {
    Column quantiles = array(Arrays.stream(SPREAD).mapToObj(p -> lit(p)).toArray(Column[]::new));
    Map<Integer, Spread[]> byTier = new TreeMap<>();
    for (Row r :
        customers
            .groupBy(TIER)
            .agg(
                percentile(col(RECENCY_DAYS).cast("double"), quantiles),
                percentile(col(FREQUENCY).cast("double"), quantiles),
                percentile(col(MONETARY).cast("double"), quantiles))
            .collectAsList()) { // k rows
      Spread[] spread = new Spread[3];
      for (int metric = 0; metric < 3; metric++) {
        List<Double> q = r.getList(metric + 1);
        spread[metric] = new Spread(q.get(0), q.get(1), q.get(2), q.get(3), q.get(4));
      }
      byTier.put(r.getInt(0), spread);
    }
    return byTier;
  }

  private static ClvFigures clvFigures(Dataset<Row> customerClv, Row model) {
    String horizon = model.getAs(HORIZON);
    Column value = col(CLV_PREFIX + horizon);
    Column bin =
        when(value.lt(1), lit(-1L)).otherwise(floor(log10(value).multiply(BINS_PER_DECADE)));
    List<Double> lower = new ArrayList<>();
    List<Double> upper = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    // quarter decades from 1 to the largest CLV: a few dozen bins at most
    for (Row r :
        customerClv
            .filter(value.isNotNull())
            .groupBy(bin.as("bin"))
            .count()
            .orderBy("bin")
            .collectAsList()) {
      long b = r.getLong(0);
      lower.add(b < 0 ? -1.0 : Math.pow(10, b / (double) BINS_PER_DECADE)); // -1: the "below 1" bin
      upper.add(b < 0 ? 1.0 : Math.pow(10, (b + 1) / (double) BINS_PER_DECADE));
      counts.add(r.getLong(1));
    }
    Histogram valueHistogram = new Histogram(lower, upper, counts);
    long[] alive = new long[P_ALIVE_BINS];
    Column aliveBin = least(floor(col(P_ALIVE).multiply(P_ALIVE_BINS)), lit(P_ALIVE_BINS - 1));
    for (Row r :
        customerClv.filter(col(P_ALIVE).isNotNull()).groupBy(aliveBin).count().collectAsList()) {
      alive[(int) r.getLong(0)] = r.getLong(1);
    }
    List<Double> aliveLower = new ArrayList<>();
    List<Double> aliveUpper = new ArrayList<>();
    List<Long> aliveCounts = new ArrayList<>();
    for (int i = 0; i < P_ALIVE_BINS; i++) {
      aliveLower.add(i / (double) P_ALIVE_BINS);
      aliveUpper.add((i + 1) / (double) P_ALIVE_BINS);
      aliveCounts.add(alive[i]);
    }
    Row total = customerClv.agg(sum(value)).head();
    Map<String, Double> parameters = new LinkedHashMap<>();
    for (String name : List.of(BGNBD_R, BGNBD_ALPHA, BGNBD_A, BGNBD_B, GG_P, GG_Q, GG_GAMMA)) {
      parameters.put(name, model.getAs(name));
    }
    return new ClvFigures(
        horizon,
        parameters,
        valueHistogram,
        new Histogram(aliveLower, aliveUpper, aliveCounts),
        total.isNullAt(0) ? 0 : ((Number) total.get(0)).doubleValue());
  }

  private static List<Map<String, Object>> topCustomers(Snapshot s, int limit) {
    if (limit == 0) {
      return List.of();
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Row r :
        s.customers()
            .orderBy(col(MONETARY).desc(), col(CUSTOMER_ID))
            .select(
                CUSTOMER_ID,
                TIER_NAME,
                RFM_SEGMENT_NAME,
                CUSTOMER_LAYER_NAME,
                LIFECYCLE_STAGE_NAME,
                RECENCY_DAYS,
                FREQUENCY,
                MONETARY,
                FUTURE_VALUE)
            .limit(limit)
            .collectAsList()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (String field : r.schema().fieldNames()) {
        row.put(field, r.getAs(field));
      }
      rows.add(row);
    }
    return rows;
  }

  /** A run_log timestamp to the second, with its zone: "2026-01-02 03:04:05 UTC". */
  static String instant(Timestamp timestamp) {
    return timestamp == null ? "" : SECONDS_UTC.format(timestamp.toInstant());
  }

  private static double orZero(Double value) {
    return value == null ? 0 : value;
  }
}
