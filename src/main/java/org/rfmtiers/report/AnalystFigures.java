package org.rfmtiers.report;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.segments.ValueMatrix;

/**
 * What the report's analyst sections show, read from the tables as they are (never recomputed a
 * different way): the change of every tier and RFM segment since the previous snapshot, the
 * segments' actions, the churn watch and its summary, the R x F grid, the tiers over all snapshots,
 * CLV per tier and the cohort triangle. Every collect is bounded: tiers, segments, 25 cells,
 * snapshots x tiers, cohorts x months, or the watch rows shown.
 */
public record AnalystFigures(
    Optional<LocalDate> previous,
    Map<Integer, Totals> previousTiers,
    Map<String, Totals> previousRfmSegments,
    Map<String, String> rfmActions,
    Map<String, String> quadrantActions,
    List<WatchRow> watch,
    List<ChurnLine> churn,
    List<RfCell> rfGrid,
    List<TrendPoint> trends,
    List<TierClv> clvByTier,
    List<CohortCell> cohorts) {

  /** Customers and revenue of a tier or segment at the previous snapshot. */
  public record Totals(long customers, BigDecimal revenue) {}

  /** A churn_watch row as the report shows it. */
  public record WatchRow(
      int rank,
      String customerId,
      String tierName,
      String segmentName,
      List<String> reasons,
      Double pAlive,
      Integer daysOverdue,
      BigDecimal valueAtRisk,
      String action) {}

  /** A churn_summary row. */
  public record ChurnLine(
      String scheme,
      String segment,
      String name,
      long customers,
      Long alivePreviously,
      Long churned,
      Double churnRate,
      long watched,
      BigDecimal revenueAtRisk) {}

  /** Customers and revenue with one r_score and f_score. */
  public record RfCell(int r, int f, long customers, BigDecimal revenue) {}

  /** A tier_summary row of one snapshot. */
  public record TrendPoint(
      LocalDate date, int tier, String name, long customers, BigDecimal revenue) {}

  /** The CLV over the horizon of a tier's customers (future_value where it is the CLV). */
  public record TierClv(int tier, long customers, double total, double mean) {}

  /** A cohort_retention cell. */
  public record CohortCell(
      LocalDate cohort,
      int months,
      long cohortCustomers,
      long active,
      double rate,
      Double expected,
      boolean complete,
      BigDecimal revenuePerCustomer) {}

  /** The tables the analyst sections read; the optional ones are absent in older warehouses. */
  public record Sources(
      LocalDate date,
      Dataset<Row> customers,
      Dataset<Row> tierSummaryAll,
      Optional<Dataset<Row>> segmentSummaryAll,
      Optional<Dataset<Row>> churnWatch,
      Optional<Dataset<Row>> churnSummary,
      Optional<Dataset<Row>> cohorts) {}

  /**
   * Submits the queries of {@code s}'s figures to {@code queries}, where they run a few at a time
   * beside the report's others; the figures are had from the supplier once they are done.
   */
  public static Supplier<AnalystFigures> submit(Sources s, int watchRows, FigureQueries queries) {
    CompletableFuture<History> history = queries.submit(() -> history(s));
    CompletableFuture<Map<String, String>> rfmActions =
        queries.submit(() -> actions(s.customers(), RFM_SEGMENT, RFM_SEGMENT_ACTION));
    CompletableFuture<Map<String, String>> quadrantActions =
        queries.submit(() -> actions(s.customers(), LOYALTY_QUADRANT, LOYALTY_QUADRANT_ACTION));
    CompletableFuture<List<WatchRow>> watch =
        queries.submit(() -> s.churnWatch().map(w -> watch(w, watchRows)).orElse(List.of()));
    CompletableFuture<List<ChurnLine>> churn =
        queries.submit(() -> s.churnSummary().map(AnalystFigures::churn).orElse(List.of()));
    CompletableFuture<List<RfCell>> rfGrid = queries.submit(() -> rfGrid(s.customers()));
    CompletableFuture<List<TierClv>> clvByTier = queries.submit(() -> clvByTier(s.customers()));
    CompletableFuture<List<CohortCell>> cohorts =
        queries.submit(() -> s.cohorts().map(AnalystFigures::cohorts).orElse(List.of()));
    return () -> {
      History past = FigureQueries.join(history);
      return new AnalystFigures(
          past.previous(),
          past.previousTiers(),
          past.previousSegments(),
          FigureQueries.join(rfmActions),
          FigureQueries.join(quadrantActions),
          FigureQueries.join(watch),
          FigureQueries.join(churn),
          FigureQueries.join(rfGrid),
          past.trends(),
          FigureQueries.join(clvByTier),
          FigureQueries.join(cohorts));
    };
  }

  /**
   * The tiers over all snapshots up to this one, and the previous snapshot's tiers and segments.
   */
  private record History(
      List<TrendPoint> trends,
      Optional<LocalDate> previous,
      Map<Integer, Totals> previousTiers,
      Map<String, Totals> previousSegments) {}

  private static History history(Sources s) {
    Date date = Date.valueOf(s.date());
    List<TrendPoint> trends = new ArrayList<>();
    for (Row r :
        s.tierSummaryAll()
            .filter(col(SNAPSHOT_DATE).leq(lit(date)))
            .select(SNAPSHOT_DATE, TIER, TIER_NAME, CUSTOMERS, REVENUE)
            .orderBy(SNAPSHOT_DATE, TIER)
            .collectAsList()) { // snapshots x tiers
      trends.add(
          new TrendPoint(
              r.getDate(0).toLocalDate(),
              r.getInt(1),
              r.getString(2),
              r.getLong(3),
              r.getDecimal(4)));
    }
    Optional<LocalDate> previous =
        trends.stream().map(TrendPoint::date).filter(d -> d.isBefore(s.date())).reduce((a, b) -> b);
    Map<Integer, Totals> previousTiers = new TreeMap<>();
    trends.stream()
        .filter(p -> previous.isPresent() && p.date().equals(previous.get()))
        .forEach(p -> previousTiers.put(p.tier(), new Totals(p.customers(), p.revenue())));
    Map<String, Totals> previousSegments = new LinkedHashMap<>();
    if (previous.isPresent() && s.segmentSummaryAll().isPresent()) {
      for (Row r :
          s.segmentSummaryAll()
              .get()
              .filter(
                  col(SNAPSHOT_DATE)
                      .equalTo(lit(Date.valueOf(previous.get())))
                      .and(col(SCHEME).equalTo(RFM_SEGMENT)))
              .select(SEGMENT, CUSTOMERS, REVENUE)
              .collectAsList()) { // 8 segments
        previousSegments.put(r.getString(0), new Totals(r.getLong(1), r.getDecimal(2)));
      }
    }
    return new History(trends, previous, previousTiers, previousSegments);
  }

  /** Each code's action as customer_rfm holds it (empty for snapshots written before it did). */
  private static Map<String, String> actions(Dataset<Row> customers, String code, String action) {
    Map<String, String> actions = new TreeMap<>();
    if (!Arrays.asList(customers.columns()).contains(action)) {
      return actions;
    }
    for (Row r : customers.select(code, action).distinct().collectAsList()) { // a few codes
      if (!r.isNullAt(0)) {
        actions.put(r.getString(0), r.getString(1));
      }
    }
    return actions;
  }

  private static List<WatchRow> watch(Dataset<Row> watch, int limit) {
    List<WatchRow> rows = new ArrayList<>();
    for (Row r : watch.filter(col(WATCH_RANK).leq(limit)).orderBy(WATCH_RANK).collectAsList()) {
      String reasons = r.getAs(REASONS);
      rows.add(
          new WatchRow(
              r.getAs(WATCH_RANK),
              r.getAs(CUSTOMER_ID),
              r.getAs(TIER_NAME),
              r.getAs(RFM_SEGMENT_NAME),
              reasons == null || reasons.isEmpty() ? List.of() : Arrays.asList(reasons.split(",")),
              r.getAs(P_ALIVE),
              r.getAs(DAYS_OVERDUE),
              r.getAs(VALUE_AT_RISK),
              r.getAs(RFM_SEGMENT_ACTION)));
    }
    return rows;
  }

  private static List<ChurnLine> churn(Dataset<Row> summary) {
    List<ChurnLine> lines = new ArrayList<>();
    for (Row r :
        summary
            .orderBy(
                when(col(SCHEME).equalTo("all"), 0).when(col(SCHEME).equalTo(TIER), 1).otherwise(2),
                col(REVENUE_AT_RISK).desc(),
                col(SEGMENT))
            .collectAsList()) { // 1 + tiers + 8
      lines.add(
          new ChurnLine(
              r.getAs(SCHEME),
              r.getAs(SEGMENT),
              r.getAs(SEGMENT_NAME),
              r.<Long>getAs(CUSTOMERS),
              r.getAs(ALIVE_PREVIOUSLY),
              r.getAs(CHURNED),
              r.getAs(CHURN_RATE),
              r.<Long>getAs(WATCHED),
              r.getAs(REVENUE_AT_RISK)));
    }
    return lines;
  }

  private static List<RfCell> rfGrid(Dataset<Row> customers) {
    List<RfCell> cells = new ArrayList<>();
    for (Row r :
        customers
            .groupBy(R_SCORE, F_SCORE)
            .agg(count(lit(1)), sum(col(MONETARY)))
            .orderBy(R_SCORE, F_SCORE)
            .collectAsList()) { // 25 cells
      cells.add(new RfCell(r.getInt(0), r.getInt(1), r.getLong(2), r.getDecimal(3)));
    }
    return cells;
  }

  private static List<TierClv> clvByTier(Dataset<Row> customers) {
    List<TierClv> tiers = new ArrayList<>();
    for (Row r :
        customers
            .filter(col(FUTURE_VALUE_SOURCE).equalTo(ValueMatrix.SOURCE_CLV))
            .groupBy(TIER)
            .agg(count(lit(1)), sum(col(FUTURE_VALUE).cast("double")))
            .orderBy(TIER)
            .collectAsList()) { // k rows
      long n = r.getLong(1);
      double total = r.isNullAt(2) ? 0 : r.getDouble(2);
      tiers.add(new TierClv(r.getInt(0), n, total, n == 0 ? 0 : total / n));
    }
    return tiers;
  }

  private static List<CohortCell> cohorts(Dataset<Row> cohorts) {
    List<CohortCell> cells = new ArrayList<>();
    for (Row r : cohorts.orderBy(COHORT_MONTH, MONTHS_SINCE_FIRST).collectAsList()) {
      // cohorts x months: 60 months of history are 1,830 cells
      cells.add(
          new CohortCell(
              r.<Date>getAs(COHORT_MONTH).toLocalDate(),
              r.<Integer>getAs(MONTHS_SINCE_FIRST),
              r.<Long>getAs(COHORT_CUSTOMERS),
              r.<Long>getAs(ACTIVE_CUSTOMERS),
              r.<Double>getAs(RETENTION_RATE),
              r.getAs(EXPECTED_ACTIVE_SHARE),
              r.<Boolean>getAs(PERIOD_COMPLETE),
              r.getAs(REVENUE_PER_CUSTOMER)));
    }
    return cells;
  }
}
