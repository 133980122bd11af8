package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rfmtiers.Money;
import org.rfmtiers.clv.BgNbd;

/**
 * Cohort retention (客户保持率): customers grouped by the month of their first purchase (the cohort),
 * and for every calendar month since, up to the snapshot's: how many of them bought (retention rate
 * = active / cohort size; month 0 is 100 % by definition), their revenue counted by the returns
 * policy, and revenue per original customer, in the month and cumulated.
 *
 * <p>Beside the observed rate, when BG/NBD was fitted this night, what the model expects for the
 * same cell: the share of the cohort that makes a purchase in the month ({@link BgNbd#activeShare})
 * and the share still alive at its end ({@link BgNbd#aliveShare}), averaged over the cohort's
 * customers from each one's own first purchase day. Where the two rates part, the model and the
 * data disagree (a seasonal month, a campaign, a cohort unlike the rest).
 *
 * <p>The snapshot's own month is cut at the snapshot date ({@code period_complete} false): its
 * observed and expected rates cover the same part month.
 */
public final class CohortRetention {
  private final int scale;

  public CohortRetention(int scale) {
    this.scale = scale;
  }

  /** The model's expectation and its time unit in days (7 for weeks). */
  public record Expectation(BgNbd model, double unitDays) {}

  /**
   * @param months {@code CustomerMonths.of}: customer_id, order_month, purchased, revenue
   * @param firstPurchases customer_id and first_purchase_date of every customer with a purchase
   */
  public Dataset<Row> apply(
      Dataset<Row> months,
      Dataset<Row> firstPurchases,
      LocalDate snapshot,
      Optional<Expectation> expectation) {
    LocalDate lastMonth = snapshot.minusDays(1).withDayOfMonth(1);
    Dataset<Row> cohortOf =
        firstPurchases.select(
            col(CUSTOMER_ID), trunc(col(FIRST_PURCHASE_DATE), "month").as(COHORT_MONTH));
    Column period = months_between(col(ORDER_MONTH), col(COHORT_MONTH)).cast("int");
    Dataset<Row> observed =
        months
            .join(cohortOf, CUSTOMER_ID)
            .withColumn(MONTHS_SINCE_FIRST, period)
            .filter(col(MONTHS_SINCE_FIRST).geq(0))
            .groupBy(COHORT_MONTH, MONTHS_SINCE_FIRST)
            .agg(
                count(when(col(PURCHASED), lit(1))).as(ACTIVE_CUSTOMERS), sum(REVENUE).as(REVENUE));
    // every cell from the cohort's month to the snapshot's, a month nobody bought in included
    Dataset<Row> grid =
        cohortOf
            .groupBy(COHORT_MONTH)
            .agg(count(lit(1)).as(COHORT_CUSTOMERS))
            .withColumn(
                MONTHS_SINCE_FIRST,
                explode(
                    sequence(
                        lit(0),
                        months_between(lit(Date.valueOf(lastMonth)), col(COHORT_MONTH))
                            .cast("int"))));
    Column customers = col(COHORT_CUSTOMERS);
    Column revenue = coalesce(col(REVENUE), lit(0).cast(Money.decimal(scale)));
    Dataset<Row> cells =
        grid.join(observed, new String[] {COHORT_MONTH, MONTHS_SINCE_FIRST}, "left")
            .withColumn(ACTIVE_CUSTOMERS, coalesce(col(ACTIVE_CUSTOMERS), lit(0L)))
            .withColumn(REVENUE, revenue.cast(Money.decimal(scale)))
            .withColumn(PERIOD_MONTH, add_months(col(COHORT_MONTH), col(MONTHS_SINCE_FIRST)))
            .withColumn(
                PERIOD_COMPLETE, add_months(col(PERIOD_MONTH), 1).leq(lit(Date.valueOf(snapshot))))
            .withColumn(RETENTION_RATE, col(ACTIVE_CUSTOMERS).divide(customers))
            .withColumn(REVENUE_PER_CUSTOMER, perCustomer(col(REVENUE), customers))
            .withColumn(
                CUMULATIVE_REVENUE_PER_CUSTOMER,
                perCustomer(
                    sum(col(REVENUE))
                        .over(Window.partitionBy(COHORT_MONTH).orderBy(MONTHS_SINCE_FIRST)),
                    customers));
    if (expectation.isEmpty()) {
      return cells
          .withColumn(EXPECTED_ACTIVE_SHARE, lit(null).cast("double"))
          .withColumn(EXPECTED_ALIVE_SHARE, lit(null).cast("double"));
    }
    Dataset<Row> expected =
        expected(firstPurchases, snapshot, lastMonth, expectation.get(), cells.sparkSession());
    return cells.join(expected, new String[] {COHORT_MONTH, MONTHS_SINCE_FIRST}, "left");
  }

  private Column perCustomer(Column money, Column customers) {
    return round(money.divide(customers), scale).cast(Money.decimal(scale));
  }

  /**
   * The model's shares per cell, on the driver: one row per distinct first purchase day (at most
   * the days of the history) in, one per cell out; each (t, tau) pair in days is evaluated once,
   * and the share alive after each distinct day count once, whether a cell's end or a month's start
   * (it is the expensive half of both shares).
   */
  private static Dataset<Row> expected(
      Dataset<Row> firstPurchases,
      LocalDate snapshot,
      LocalDate lastMonth,
      Expectation expectation,
      org.apache.spark.sql.SparkSession spark) {
    Map<LocalDate, Map<LocalDate, Long>> byCohort = new TreeMap<>();
    for (Row r :
        firstPurchases.groupBy(FIRST_PURCHASE_DATE).count().collectAsList()) { // days of history
      LocalDate first = r.getDate(0).toLocalDate();
      byCohort
          .computeIfAbsent(first.withDayOfMonth(1), m -> new TreeMap<>())
          .put(first, r.getLong(1));
    }
    BgNbd model = expectation.model();
    double unit = expectation.unitDays();
    Map<Long, Double> alive = new HashMap<>();
    Map<List<Long>, Double> active = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<LocalDate, Map<LocalDate, Long>> cohort : byCohort.entrySet()) {
      long size = cohort.getValue().values().stream().mapToLong(Long::longValue).sum();
      for (LocalDate month = cohort.getKey();
          !month.isAfter(lastMonth);
          month = month.plusMonths(1)) {
        LocalDate end = month.plusMonths(1).isAfter(snapshot) ? snapshot : month.plusMonths(1);
        double activeSum = 0;
        double aliveSum = 0;
        for (Map.Entry<LocalDate, Long> day : cohort.getValue().entrySet()) {
          LocalDate start = month.isBefore(day.getKey()) ? day.getKey() : month;
          long t = ChronoUnit.DAYS.between(day.getKey(), start);
          long tau = ChronoUnit.DAYS.between(start, end);
          long toEnd = t + tau;
          double a =
              month.equals(cohort.getKey())
                  ? 1.0 // the first purchase is in month 0
                  : active.computeIfAbsent(
                      List.of(t, tau),
                      k ->
                          model.activeShare(
                              t / unit, tau / unit, aliveAfter(alive, model, t, unit)));
          activeSum += a * day.getValue();
          aliveSum += aliveAfter(alive, model, toEnd, unit) * day.getValue();
        }
        rows.add(
            RowFactory.create(
                Date.valueOf(cohort.getKey()),
                (int) ChronoUnit.MONTHS.between(cohort.getKey(), month),
                activeSum / size,
                aliveSum / size));
      }
    }
    StructType schema =
        new StructType()
            .add(COHORT_MONTH, DataTypes.DateType)
            .add(MONTHS_SINCE_FIRST, DataTypes.IntegerType)
            .add(EXPECTED_ACTIVE_SHARE, DataTypes.DoubleType)
            .add(EXPECTED_ALIVE_SHARE, DataTypes.DoubleType);
    return spark.createDataFrame(rows, schema);
  }

  /** The share alive {@code days} after the first purchase, evaluated once a distinct day count. */
  private static double aliveAfter(Map<Long, Double> alive, BgNbd model, long days, double unit) {
    return alive.computeIfAbsent(days, d -> model.aliveShare(d / unit));
  }
}
