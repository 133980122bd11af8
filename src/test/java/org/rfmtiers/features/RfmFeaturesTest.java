package org.rfmtiers.features;

import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.TestRows;
import org.rfmtiers.config.FrequencyBasis;
import org.rfmtiers.config.ReturnsPolicy;

class RfmFeaturesTest {
  private static final LocalDate AS_OF = LocalDate.of(2024, 1, 21);

  /**
   * A: three orders on two days (two on 10 January) and a cancellation of one of them; B: one
   * purchase; D: two orders, the second with two lines; E: only a return; K: buys after the
   * snapshot date.
   */
  private static Dataset<Row> log() {
    return TestRows.transactions(
        new Object[] {"A", "O1", "2024-01-01", "100.00", false},
        new Object[] {"A", "O2", "2024-01-10", "50.50", false},
        new Object[] {"A", "O3", "2024-01-10", "20.00", false},
        new Object[] {"A", "C2", "2024-01-12", "-50.50", true},
        new Object[] {"B", "O4", "2024-01-05", "30.00", false},
        new Object[] {"D", "O5", "2024-01-02", "10.00", false},
        new Object[] {"D", "O6", "2024-01-20", "15.00", false},
        new Object[] {"D", "O6", "2024-01-20", "6.00", false},
        new Object[] {"E", "C9", "2024-01-15", "-12.00", true},
        new Object[] {"K", "O12", "2024-01-21", "99.00", false});
  }

  private static Map<String, Row> features(ReturnsPolicy policy, FrequencyBasis basis) {
    Map<String, Row> rows = new HashMap<>();
    for (Row r :
        new RfmFeatures(AS_OF, policy, basis, 2, new RfmFeatures.Windows(10, 7))
            .apply(log())
            .collectAsList()) {
      rows.put(r.getAs(CUSTOMER_ID), r);
    }
    return rows;
  }

  @Test
  void recencyFrequencyMonetaryByHand() {
    Map<String, Row> rows = features(ReturnsPolicy.EXCLUDE, FrequencyBasis.ORDERS);
    assertEquals(
        3, rows.size(), "E has only a return and K buys on the snapshot date: neither counts");
    Row a = rows.get("A");
    assertEquals(LocalDate.of(2024, 1, 1), a.<Date>getAs(FIRST_PURCHASE_DATE).toLocalDate());
    assertEquals(LocalDate.of(2024, 1, 10), a.<Date>getAs(LAST_PURCHASE_DATE).toLocalDate());
    assertEquals(11, a.<Integer>getAs(RECENCY_DAYS));
    assertEquals(3L, a.<Long>getAs(FREQUENCY), "the same-day double order counts twice");
    assertEquals(2L, a.<Long>getAs(PURCHASE_DAYS));
    assertEquals(new BigDecimal("170.50"), a.getAs(MONETARY), "returns excluded");
    assertEquals(new BigDecimal("56.83"), a.getAs(AVG_ORDER_VALUE), "170.50 / 3");
    assertEquals(20, a.<Integer>getAs(TENURE_DAYS));
    assertEquals(1L, a.<Long>getAs(RETURN_COUNT));
    assertEquals(new BigDecimal("50.50"), a.getAs(RETURNED_AMOUNT));

    Row b = rows.get("B");
    assertEquals(16, b.<Integer>getAs(RECENCY_DAYS));
    assertEquals(1L, b.<Long>getAs(FREQUENCY));
    assertEquals(new BigDecimal("30.00"), b.getAs(MONETARY));
    assertEquals(16, b.<Integer>getAs(TENURE_DAYS), "one purchase: tenure = recency");

    Row d = rows.get("D");
    assertEquals(1, d.<Integer>getAs(RECENCY_DAYS), "bought the day before the snapshot");
    assertEquals(2L, d.<Long>getAs(FREQUENCY), "two lines of O6 are one order");
    assertEquals(new BigDecimal("31.00"), d.getAs(MONETARY));
    assertEquals(new BigDecimal("15.50"), d.getAs(AVG_ORDER_VALUE));
  }

  @Test
  void trailingWindowsAndPurchaseGap() {
    // current value: [01-11, 01-21); recent orders: [01-14, 01-21); prior orders: [01-07, 01-14)
    Map<String, Row> rows = features(ReturnsPolicy.EXCLUDE, FrequencyBasis.ORDERS);
    assertEquals(new BigDecimal("0.00"), rows.get("A").getAs(CURRENT_VALUE));
    assertEquals(new BigDecimal("21.00"), rows.get("D").getAs(CURRENT_VALUE));
    assertEquals(0L, rows.get("A").<Long>getAs(ORDERS_RECENT));
    assertEquals(2L, rows.get("A").<Long>getAs(ORDERS_PRIOR), "O2 and O3 on 01-10");
    assertEquals(1L, rows.get("D").<Long>getAs(ORDERS_RECENT));
    assertEquals(0L, rows.get("D").<Long>getAs(ORDERS_PRIOR));
    assertEquals(
        9.0,
        rows.get("A").<Double>getAs(MEAN_PURCHASE_GAP_DAYS),
        1e-12,
        "01-01 to 01-10 over one gap");
    assertEquals(18.0, rows.get("D").<Double>getAs(MEAN_PURCHASE_GAP_DAYS), 1e-12);
    assertNull(rows.get("B").getAs(MEAN_PURCHASE_GAP_DAYS), "one purchase day: no gap");
  }

  @Test
  void netPolicySubtractsReturns() {
    Map<String, Row> rows = features(ReturnsPolicy.NET, FrequencyBasis.ORDERS);
    assertEquals(new BigDecimal("120.00"), rows.get("A").getAs(MONETARY));
    assertEquals(new BigDecimal("40.00"), rows.get("A").getAs(AVG_ORDER_VALUE));
    assertEquals(3L, rows.get("A").<Long>getAs(FREQUENCY), "a return never removes an order");
  }

  @Test
  void dayBasisCountsPurchaseDays() {
    Map<String, Row> rows = features(ReturnsPolicy.EXCLUDE, FrequencyBasis.DAYS);
    assertEquals(2L, rows.get("A").<Long>getAs(FREQUENCY));
    assertEquals(new BigDecimal("85.25"), rows.get("A").getAs(AVG_ORDER_VALUE));
  }

  /**
   * The per-order aggregation equals the plain count(DISTINCT) formulation (the first
   * implementation, kept here as the oracle) on 10,000 random lines: orders spanning days, several
   * orders a day, orders without id, returns sharing a purchase's order id, rows on and after the
   * snapshot date.
   */
  @Test
  void perOrderAggregationEqualsCountDistinct() {
    Dataset<Row> lines =
        SparkTestSession.get()
            .range(10_000)
            .select(
                concat(lit("c"), pmod(xxhash64(col("id"), lit(1)), lit(400)).cast("string"))
                    .as(CUSTOMER_ID),
                when(pmod(col("id"), lit(23)).equalTo(0), lit(null).cast("string"))
                    .otherwise(
                        concat(
                            lit("o"), pmod(xxhash64(col("id"), lit(2)), lit(6000)).cast("string")))
                    .as(ORDER_ID),
                date_add(
                        lit(Date.valueOf("2023-01-01")),
                        pmod(xxhash64(col("id"), lit(3)), lit(400)).cast("int"))
                    .as(ORDER_DATE),
                pmod(xxhash64(col("id"), lit(4)), lit(10_000))
                    .divide(100)
                    .cast("decimal(18,2)")
                    .as("abs_amount"),
                pmod(xxhash64(col("id"), lit(5)), lit(10)).equalTo(0).as(IS_RETURN))
            .withColumn(
                AMOUNT,
                when(col(IS_RETURN), negate(col("abs_amount"))).otherwise(col("abs_amount")))
            .drop("abs_amount");
    LocalDate asOf = LocalDate.of(2024, 1, 1);
    for (ReturnsPolicy policy : ReturnsPolicy.values()) {
      for (FrequencyBasis basis : FrequencyBasis.values()) {
        RfmFeatures.Windows windows = new RfmFeatures.Windows(90, 30);
        Dataset<Row> actual =
            new RfmFeatures(asOf, policy, basis, 2, windows)
                .apply(lines)
                .select(
                    CUSTOMER_ID,
                    FIRST_PURCHASE_DATE,
                    LAST_PURCHASE_DATE,
                    FREQUENCY,
                    PURCHASE_DAYS,
                    MONETARY,
                    CURRENT_VALUE,
                    ORDERS_RECENT,
                    ORDERS_PRIOR,
                    RETURN_COUNT,
                    RETURNED_AMOUNT);
        Dataset<Row> expected = countDistinct(lines, asOf, policy, basis, windows);
        assertEquals(expected.count(), actual.count());
        assertEquals(0, expected.exceptAll(actual).count(), policy + " " + basis);
        assertEquals(0, actual.exceptAll(expected).count(), policy + " " + basis);
      }
      // the CLV day sums that come with the aggregates, summed in cents or as decimals, against a
      // plain
      // Java fold of the same lines: per customer and day, then per customer
      RfmFeatures features =
          new RfmFeatures(asOf, policy, FrequencyBasis.ORDERS, 2, new RfmFeatures.Windows(90, 30));
      String[] daySums = {
        CUSTOMER_ID,
        FIRST_PURCHASE_DATE,
        LAST_PURCHASE_DATE,
        PURCHASE_DAYS,
        DAY_SPEND,
        FIRST_DAY_SPEND
      };
      Dataset<Row> expected = daySumsByHand(lines, asOf, policy);
      Dataset<Row> wide =
          lines.withColumn(AMOUNT, col(AMOUNT).cast("decimal(28,2)")); // as state_lines has them
      for (Dataset<Row> input : List.of(lines, wide)) {
        Dataset<Row> actual =
            features.aggregate(input).filter(col(FREQUENCY).gt(0)).selectExpr(daySums);
        assertTrue(expected.count() > 300);
        assertEquals(expected.count(), actual.count());
        assertEquals(0, expected.exceptAll(actual).count(), policy + " day sums");
        assertEquals(0, actual.exceptAll(expected).count(), policy + " day sums");
      }
      assertEquals(
          0,
          features.aggregate(lines).exceptAll(features.aggregate(wide)).count(),
          policy + ": decimal(28, 2) amounts sum to the same as decimal(18, 2) ones");
    }
  }

  /**
   * Per customer with a purchase day: first and last purchase day, purchase days, spend of all and
   * of the first.
   */
  private static Dataset<Row> daySumsByHand(
      Dataset<Row> lines, LocalDate asOf, ReturnsPolicy policy) {
    // customer -> day -> {has purchase, counted spend}
    Map<String, TreeMap<LocalDate, Object[]>> days = new TreeMap<>();
    for (Row r : lines.collectAsList()) {
      LocalDate day = r.<Date>getAs(ORDER_DATE).toLocalDate();
      if (!day.isBefore(asOf)) {
        continue;
      }
      boolean isReturn = r.getAs(IS_RETURN);
      BigDecimal amount = r.getAs(AMOUNT);
      BigDecimal counted = isReturn && policy == ReturnsPolicy.EXCLUDE ? BigDecimal.ZERO : amount;
      Object[] d =
          days.computeIfAbsent(r.getAs(CUSTOMER_ID), c -> new TreeMap<>())
              .computeIfAbsent(day, x -> new Object[] {false, BigDecimal.ZERO});
      d[0] = (Boolean) d[0] || !isReturn;
      d[1] = ((BigDecimal) d[1]).add(counted);
    }
    List<Row> rows = new ArrayList<>();
    days.forEach(
        (customer, byDay) -> {
          List<Map.Entry<LocalDate, Object[]>> purchaseDays =
              byDay.entrySet().stream().filter(e -> (Boolean) e.getValue()[0]).toList();
          if (purchaseDays.isEmpty()) {
            return;
          }
          BigDecimal all =
              purchaseDays.stream()
                  .map(e -> (BigDecimal) e.getValue()[1])
                  .reduce(BigDecimal.ZERO, BigDecimal::add);
          rows.add(
              RowFactory.create(
                  customer,
                  Date.valueOf(purchaseDays.get(0).getKey()),
                  Date.valueOf(purchaseDays.get(purchaseDays.size() - 1).getKey()),
                  (long) purchaseDays.size(),
                  all.setScale(18),
                  ((BigDecimal) purchaseDays.get(0).getValue()[1]).setScale(18)));
        });
    StructType schema =
        new StructType()
            .add(CUSTOMER_ID, "string")
            .add(FIRST_PURCHASE_DATE, "date")
            .add(LAST_PURCHASE_DATE, "date")
            .add(PURCHASE_DAYS, "long")
            .add(DAY_SPEND, "decimal(38,18)")
            .add(FIRST_DAY_SPEND, "decimal(38,18)");
    return SparkTestSession.get().createDataFrame(rows, schema);
  }

  private static Dataset<Row> countDistinct(
      Dataset<Row> lines,
      LocalDate asOf,
      ReturnsPolicy policy,
      FrequencyBasis basis,
      RfmFeatures.Windows windows) {
    Column purchase = not(col(IS_RETURN));
    Column key =
        basis == FrequencyBasis.DAYS
            ? col(ORDER_DATE).cast("string")
            : coalesce(col(ORDER_ID), col(ORDER_DATE).cast("string"));
    Column counted =
        policy == ReturnsPolicy.NET ? col(AMOUNT) : when(purchase, col(AMOUNT)).otherwise(lit(0));
    Column recent = col(ORDER_DATE).geq(lit(Date.valueOf(asOf.minusDays(windows.trendDays()))));
    Column prior =
        col(ORDER_DATE)
            .geq(lit(Date.valueOf(asOf.minusDays(2L * windows.trendDays()))))
            .and(not(recent));
    Column current =
        col(ORDER_DATE).geq(lit(Date.valueOf(asOf.minusDays(windows.currentValueDays()))));
    return lines
        .filter(col(ORDER_DATE).lt(lit(Date.valueOf(asOf))))
        .groupBy(CUSTOMER_ID)
        .agg(
            min(when(purchase, col(ORDER_DATE))).as(FIRST_PURCHASE_DATE),
            max(when(purchase, col(ORDER_DATE))).as(LAST_PURCHASE_DATE),
            count_distinct(when(purchase, key)).as(FREQUENCY),
            count_distinct(when(purchase, col(ORDER_DATE))).as(PURCHASE_DAYS),
            sum(counted).cast("decimal(38,2)").as(MONETARY),
            coalesce(sum(when(current, counted)), lit(0)).cast("decimal(38,2)").as(CURRENT_VALUE),
            count_distinct(when(purchase.and(recent), key)).as(ORDERS_RECENT),
            count_distinct(when(purchase.and(prior), key)).as(ORDERS_PRIOR),
            count(when(col(IS_RETURN), lit(1))).as(RETURN_COUNT),
            coalesce(sum(when(col(IS_RETURN), negate(col(AMOUNT)))), lit(0))
                .cast("decimal(38,2)")
                .as(RETURNED_AMOUNT))
        .filter(col(FREQUENCY).gt(0));
  }
}
