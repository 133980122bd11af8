package org.rfmtiers.segments;

import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.clv.BgNbd;
import org.rfmtiers.config.ChurnSettings;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.ReturnsPolicy;
import org.rfmtiers.config.SegmentSettings;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.features.CustomerMonths;

/**
 * Loyalty x value quadrants, the churn watch and cohort retention on hand-built customers and
 * lines, every expected figure worked out in the comments.
 */
class AnalystSchemesTest {
  private static final BgNbd CDNOW = new BgNbd(0.243, 4.414, 0.793, 2.426);

  private static JobSettings settings(Map<String, String> overrides) {
    return SettingsLoader.load(null, overrides);
  }

  private static Map<String, Row> byId(Dataset<Row> data) {
    Map<String, Row> rows = new HashMap<>();
    data.collectAsList().forEach(r -> rows.put(r.getAs(CUSTOMER_ID), r));
    return rows;
  }

  private static BigDecimal money(String value) {
    return new BigDecimal(value);
  }

  // ---- loyalty x value -------------------------------------------------------------------------

  private static final StructType QUADRANT_INPUT =
      new StructType()
          .add(CUSTOMER_ID, DataTypes.StringType)
          .add(TENURE_DAYS, DataTypes.IntegerType)
          .add(RECENCY_DAYS, DataTypes.IntegerType)
          .add(PURCHASE_DAYS, DataTypes.LongType)
          .add(MONETARY, DataTypes.createDecimalType(38, 2))
          .add(ACTIVE_MONTHS, DataTypes.LongType)
          .add(MONTHS_SINCE_FIRST, DataTypes.IntegerType)
          .add(P_ALIVE, DataTypes.DoubleType)
          .add(CLV_VALUE, DataTypes.DoubleType);

  /**
   * Loyalty = (tenure / 365 capped at 1 + active months / (months since first + 1) + P(alive)) / 3:
   *
   * <ul>
   *   <li>friend: (1 + 20/24 + 0.9) / 3 = 0.911111, monetary 1000;
   *   <li>butterfly: (73/365 + 1/3 + 0.3) / 3 = (0.2 + 0.333333 + 0.3) / 3 = 0.277778, 900;
   *   <li>barnacle: (1 + 10/12 + 0.8) / 3 = 0.877778, 50;
   *   <li>stranger: (36/365 + 1/1 + 0.1) / 3 = (0.098630 + 1 + 0.1) / 3 = 0.399543, 20.
   * </ul>
   *
   * Median monetary (1000, 900, 50, 20, 10) = 50: friend and butterfly are high value (strictly
   * above it).
   */
  private static Dataset<Row> quadrantCustomers() {
    return SparkTestSession.get()
        .createDataFrame(
            List.of(
                RowFactory.create("friend", 730, 30, 40L, money("1000.00"), 20L, 23, 0.9, 10.0),
                RowFactory.create("butterfly", 73, 40, 2L, money("900.00"), 1L, 2, 0.3, 5.0),
                RowFactory.create("barnacle", 365, 20, 12L, money("50.00"), 10L, 11, 0.8, 300.0),
                RowFactory.create("stranger", 36, 36, 2L, money("20.00"), 1L, 0, 0.1, 200.0),
                // one purchase 300 days ago: BG/NBD's P(alive) is 1, but that is no loyalty;
                // (365/365 + 1/11 + (1 - 300/365)) / 3 = (1 + 0.090909 + 0.178082) / 3 = 0.422997
                RowFactory.create("once", 400, 300, 1L, money("10.00"), 1L, 10, 1.0, 0.0)),
            QUADRANT_INPUT);
  }

  @Test
  void eachHandBuiltCustomerLandsInItsQuadrant() {
    Map<String, Row> rows =
        byId(new LoyaltyQuadrants(settings(Map.of()).segments()).apply(quadrantCustomers()));
    assertEquals(0.911111, rows.get("friend").<Double>getAs(LOYALTY_SCORE), 1e-6);
    assertEquals(0.277778, rows.get("butterfly").<Double>getAs(LOYALTY_SCORE), 1e-6);
    assertEquals(0.877778, rows.get("barnacle").<Double>getAs(LOYALTY_SCORE), 1e-6);
    assertEquals(0.399543, rows.get("stranger").<Double>getAs(LOYALTY_SCORE), 1e-6);
    assertEquals(0.422997, rows.get("once").<Double>getAs(LOYALTY_SCORE), 1e-6);
    assertEquals("STRANGER", rows.get("once").getAs(LOYALTY_QUADRANT), "not loyal for P(alive) 1");
    Map<String, String> expected =
        Map.of(
            "friend", "TRUE_FRIEND",
            "butterfly", "BUTTERFLY",
            "barnacle", "BARNACLE",
            "stranger", "STRANGER");
    expected.forEach((id, code) -> assertEquals(code, rows.get(id).getAs(LOYALTY_QUADRANT), id));
    assertEquals("True friends", rows.get("friend").getAs(LOYALTY_QUADRANT_NAME));
    assertEquals(
        "Grow the wallet share: cross-sell, upsell",
        rows.get("barnacle").getAs(LOYALTY_QUADRANT_ACTION));
  }

  @Test
  void quadrantsByClvAndInChinese() {
    // CLV 10, 5, 300, 200, 0: median 10, so barnacle (loyal) and stranger (not) are the valuable
    // ones
    Map<String, Row> rows =
        byId(
            new LoyaltyQuadrants(
                    settings(Map.of("segments.quadrants.value-by", "clv", "display.language", "zh"))
                        .segments())
                .apply(quadrantCustomers()));
    assertEquals("BARNACLE", rows.get("friend").getAs(LOYALTY_QUADRANT));
    assertEquals("STRANGER", rows.get("butterfly").getAs(LOYALTY_QUADRANT));
    assertEquals("TRUE_FRIEND", rows.get("barnacle").getAs(LOYALTY_QUADRANT));
    assertEquals("BUTTERFLY", rows.get("stranger").getAs(LOYALTY_QUADRANT));
    assertEquals("知己型", rows.get("barnacle").getAs(LOYALTY_QUADRANT_NAME));
    assertEquals("蝴蝶型", rows.get("stranger").getAs(LOYALTY_QUADRANT_NAME));
    assertEquals("藤壶型", rows.get("friend").getAs(LOYALTY_QUADRANT_NAME));
    assertEquals("过客型", rows.get("butterfly").getAs(LOYALTY_QUADRANT_NAME));
  }

  @Test
  void withoutClvRetentionIsRecencyAgainstChurnDays() {
    // friend: 1 - 30 / 365 = 0.917808; (1 + 0.833333 + 0.917808) / 3 = 0.917047
    Dataset<Row> noClv = quadrantCustomers().drop(P_ALIVE, CLV_VALUE);
    Map<String, Row> rows = byId(new LoyaltyQuadrants(settings(Map.of()).segments()).apply(noClv));
    assertEquals(0.917047, rows.get("friend").<Double>getAs(LOYALTY_SCORE), 1e-6);
  }

  // ---- churn watch -----------------------------------------------------------------------------

  private static final StructType CHURN_INPUT =
      new StructType()
          .add(CUSTOMER_ID, DataTypes.StringType)
          .add(TIER, DataTypes.IntegerType)
          .add(TIER_NAME, DataTypes.StringType)
          .add(RFM_SEGMENT, DataTypes.StringType)
          .add(RFM_SEGMENT_NAME, DataTypes.StringType)
          .add(RFM_SEGMENT_ACTION, DataTypes.StringType)
          .add(LIFECYCLE_STAGE, DataTypes.StringType)
          .add(RECENCY_DAYS, DataTypes.IntegerType)
          .add(MEAN_PURCHASE_GAP_DAYS, DataTypes.DoubleType)
          .add(MONETARY, DataTypes.createDecimalType(38, 2))
          .add(P_ALIVE, DataTypes.DoubleType)
          .add(CLV_VALUE, DataTypes.DoubleType);

  private static final StructType PREVIOUS =
      new StructType()
          .add(CUSTOMER_ID, DataTypes.StringType)
          .add(PREVIOUS_LIFECYCLE_STAGE, DataTypes.StringType)
          .add(PREVIOUS_P_ALIVE, DataTypes.DoubleType)
          .add(PREVIOUS_CLV_VALUE, DataTypes.DoubleType);

  private static Row now(
      String id,
      int tier,
      String stage,
      int recency,
      Double gap,
      String monetary,
      double pAlive,
      double clv) {
    return RowFactory.create(
        id,
        tier,
        "T" + tier,
        "SEG" + tier,
        "Segment " + tier,
        "Act " + tier,
        stage,
        recency,
        gap,
        money(monetary),
        pAlive,
        clv);
  }

  private static Dataset<Row> tonight() {
    return SparkTestSession.get()
        .createDataFrame(
            List.of(
                now("low", 1, "STABILITY", 10, 30.0, "500.00", 0.2, 50),
                now("drop", 1, "STABILITY", 10, 30.0, "300.00", 0.5, 40),
                now("decline", 1, "DECLINE", 50, 40.0, "1000.00", 0.6, 90),
                now("churned", 2, "CHURNED", 400, 100.0, "200.00", 0.25, 5),
                now("overdue", 2, "STABILITY", 70, 40.0, "100.00", 0.6, 20),
                now("longlost", 2, "CHURNED", 900, 50.0, "5000.00", 0.01, 1),
                now("fine", 2, "STABILITY", 5, 30.0, "80.00", 0.9, 30),
                now("newcomer", 2, "EXPLORATION", 3, null, "25.00", 1.0, 15)),
            CHURN_INPUT);
  }

  private static Dataset<Row> lastSnapshot() {
    return SparkTestSession.get()
        .createDataFrame(
            List.of(
                RowFactory.create("low", "STABILITY", 0.35, 60.0),
                RowFactory.create("drop", "STABILITY", 0.9, 100.0),
                RowFactory.create("decline", "STABILITY", 0.7, 95.0),
                RowFactory.create("churned", "DECLINE", 0.32, 8.0),
                RowFactory.create("overdue", "STABILITY", 0.65, 22.0),
                RowFactory.create("longlost", "CHURNED", 0.02, 1.0),
                RowFactory.create("fine", "STABILITY", 0.92, 31.0)),
            PREVIOUS);
  }

  private static ChurnWatch churnWatch() {
    return new ChurnWatch(new ChurnSettings(0.3, 0.2, 1.5), SegmentSettings.Language.EN, 2);
  }

  /**
   * Value at risk = monetary x (1 - P(alive)): low 500 x 0.8 = 400.00, decline 1000 x 0.4 = 400.00,
   * churned 200 x 0.75 = 150.00, drop 300 x 0.5 = 150.00, overdue 100 x 0.4 = 40.00. Ties rank by
   * customer id.
   */
  @Test
  void everyReasonWithItsValueAtRiskAndRank() {
    ChurnWatch.Result result =
        churnWatch().apply(ChurnWatch.withPrevious(tonight(), Optional.of(lastSnapshot())), true);
    Map<String, Row> watch = byId(result.watch());
    assertEquals(
        java.util.Set.of("low", "drop", "decline", "churned", "overdue"),
        watch.keySet(),
        "longlost was already CHURNED; fine and newcomer have no reason");
    assertEquals("P_ALIVE_LOW", watch.get("low").getAs(REASONS), "a fall of 0.15 is no drop");
    assertEquals("P_ALIVE_DROP", watch.get("drop").getAs(REASONS));
    assertEquals("LIFECYCLE_DECLINE", watch.get("decline").getAs(REASONS), "50 <= 1.5 x 40");
    assertEquals("P_ALIVE_LOW,LIFECYCLE_CHURNED,OVERDUE", watch.get("churned").getAs(REASONS));
    assertEquals("OVERDUE", watch.get("overdue").getAs(REASONS), "70 > 1.5 x 40");
    assertEquals(money("400.00"), watch.get("low").getAs(VALUE_AT_RISK));
    assertEquals(money("400.00"), watch.get("decline").getAs(VALUE_AT_RISK));
    assertEquals(money("150.00"), watch.get("churned").getAs(VALUE_AT_RISK));
    assertEquals(money("150.00"), watch.get("drop").getAs(VALUE_AT_RISK));
    assertEquals(money("40.00"), watch.get("overdue").getAs(VALUE_AT_RISK));
    assertEquals(300, watch.get("churned").<Integer>getAs(DAYS_OVERDUE), "400 - 100");
    assertEquals(30, watch.get("overdue").<Integer>getAs(DAYS_OVERDUE), "70 - 40");
    assertEquals(
        10,
        watch.get("decline").<Integer>getAs(DAYS_OVERDUE),
        "50 - 40: past the usual gap, but within 1.5 gaps (no OVERDUE)");
    assertEquals(60.0, watch.get("drop").<Double>getAs(CLV_LOST), 1e-9, "100 - 40");
    Map<String, Integer> ranks = new HashMap<>();
    watch.forEach((id, r) -> ranks.put(id, r.getAs(WATCH_RANK)));
    assertEquals(Map.of("decline", 1, "low", 2, "churned", 3, "drop", 4, "overdue", 5), ranks);
  }

  /**
   * All: 8 customers, 6 not CHURNED before (all but longlost and newcomer), 1 of them CHURNED now:
   * 1/6; watched 5 with 400 + 400 + 150 + 150 + 40 = 1140.00 at risk. Tier 2: churned, overdue,
   * longlost, fine, newcomer; alive before: churned, overdue, fine; 1/3; risk 150 + 40 = 190.00.
   */
  @Test
  void churnSummaryByHand() {
    Map<String, Row> summary = new HashMap<>();
    churnWatch()
        .apply(ChurnWatch.withPrevious(tonight(), Optional.of(lastSnapshot())), true)
        .summary()
        .collectAsList()
        .forEach(r -> summary.put(r.getAs(SCHEME) + "/" + r.getAs(SEGMENT), r));
    Row all = summary.get("all/ALL");
    assertEquals(8L, all.<Long>getAs(CUSTOMERS));
    assertEquals(6L, all.<Long>getAs(ALIVE_PREVIOUSLY));
    assertEquals(1L, all.<Long>getAs(CHURNED));
    assertEquals(1 / 6.0, all.<Double>getAs(CHURN_RATE), 1e-12);
    assertEquals(5L, all.<Long>getAs(WATCHED));
    assertEquals(money("1140.00"), all.getAs(REVENUE_AT_RISK));
    Row tier2 = summary.get("tier/2");
    assertEquals(5L, tier2.<Long>getAs(CUSTOMERS));
    assertEquals(3L, tier2.<Long>getAs(ALIVE_PREVIOUSLY));
    assertEquals(1 / 3.0, tier2.<Double>getAs(CHURN_RATE), 1e-12);
    assertEquals(money("190.00"), tier2.getAs(REVENUE_AT_RISK));
    assertEquals("T2", tier2.getAs(SEGMENT_NAME));
    Row segment1 = summary.get("rfm_segment/SEG1");
    assertEquals(0.0, segment1.<Double>getAs(CHURN_RATE), 0.0);
    assertEquals(money("950.00"), segment1.getAs(REVENUE_AT_RISK), "400 + 150 + 400");
  }

  @Test
  void firstSnapshotWatchesOnlyTonightsSignalsAndHasNoChurnRate() {
    ChurnWatch.Result result =
        churnWatch().apply(ChurnWatch.withPrevious(tonight(), Optional.empty()), false);
    Map<String, Row> watch = byId(result.watch());
    // churned and longlost are CHURNED tonight: lost already, not a warning; no lifecycle move
    assertEquals(java.util.Set.of("low", "overdue"), watch.keySet());
    Row all =
        result.summary().filter(org.apache.spark.sql.functions.col(SCHEME).equalTo("all")).head();
    assertTrue(all.isNullAt(all.fieldIndex(CHURN_RATE)));
    assertTrue(all.isNullAt(all.fieldIndex(ALIVE_PREVIOUSLY)));
  }

  // ---- cohort retention ------------------------------------------------------------------------

  private static final StructType LINES =
      new StructType()
          .add(CUSTOMER_ID, DataTypes.StringType)
          .add(ORDER_DATE, DataTypes.DateType)
          .add(IS_RETURN, DataTypes.BooleanType)
          .add(AMOUNT, DataTypes.createDecimalType(18, 2));

  private static Row line(String id, String date, String amount) {
    return RowFactory.create(id, Date.valueOf(date), amount.startsWith("-"), money(amount));
  }

  private static final LocalDate SNAPSHOT = LocalDate.parse("2025-04-16");

  /**
   * a buys in January, skips February, comes back in March and April; b buys in January and
   * February; c joins in February and returns part of it; d only returns (no cohort); a line after
   * the snapshot does not count.
   */
  private static Dataset<Row> cohortLines() {
    return SparkTestSession.get()
        .createDataFrame(
            List.of(
                line("a", "2025-01-05", "100.00"),
                line("a", "2025-03-10", "50.00"),
                line("a", "2025-04-02", "20.00"),
                line("b", "2025-01-20", "80.00"),
                line("b", "2025-02-03", "40.00"),
                line("c", "2025-02-14", "60.00"),
                line("c", "2025-02-20", "-10.00"),
                line("c", "2025-04-20", "70.00"),
                line("d", "2025-03-01", "-5.00")),
            LINES);
  }

  private static Dataset<Row> firstPurchases() {
    return SparkTestSession.get()
        .createDataFrame(
            List.of(
                RowFactory.create("a", Date.valueOf("2025-01-05")),
                RowFactory.create("b", Date.valueOf("2025-01-20")),
                RowFactory.create("c", Date.valueOf("2025-02-14"))),
            new StructType()
                .add(CUSTOMER_ID, DataTypes.StringType)
                .add(FIRST_PURCHASE_DATE, DataTypes.DateType));
  }

  private static Map<String, Row> cells(ReturnsPolicy policy, Optional<BgNbd> model) {
    Dataset<Row> months = CustomerMonths.of(cohortLines(), SNAPSHOT, policy);
    Map<String, Row> cells = new HashMap<>();
    new CohortRetention(2)
        .apply(
            months,
            firstPurchases(),
            SNAPSHOT,
            model.map(m -> new CohortRetention.Expectation(m, 7)))
        .collectAsList()
        .forEach(r -> cells.put(r.getAs(COHORT_MONTH) + "+" + r.getAs(MONTHS_SINCE_FIRST), r));
    return cells;
  }

  /**
   * January (a, b): month 0 both, 180.00 (90.00 each); February b (0.5, 40.00 -> 20.00, cumulated
   * 110.00); March a, back after skipping February (0.5, 25.00, 135.00); April a, a part month
   * (0.5, 10.00, 145.00). February (c): month 0 60.00 (the return does not count under exclude),
   * March and April nobody (0.0), c's April line is after the snapshot.
   */
  @Test
  void cohortCellsByHandIncludingASkippedMonth() {
    Map<String, Row> cells = cells(ReturnsPolicy.EXCLUDE, Optional.empty());
    assertEquals(7, cells.size(), "January: 4 months to April, February: 3");
    Object[][] expected = {
      {"2025-01-01+0", 2L, 2L, 1.0, "90.00", "90.00"},
      {"2025-01-01+1", 2L, 1L, 0.5, "20.00", "110.00"},
      {"2025-01-01+2", 2L, 1L, 0.5, "25.00", "135.00"},
      {"2025-01-01+3", 2L, 1L, 0.5, "10.00", "145.00"},
      {"2025-02-01+0", 1L, 1L, 1.0, "60.00", "60.00"},
      {"2025-02-01+1", 1L, 0L, 0.0, "0.00", "60.00"},
      {"2025-02-01+2", 1L, 0L, 0.0, "0.00", "60.00"},
    };
    for (Object[] e : expected) {
      Row cell = cells.get((String) e[0]);
      assertNotNull(cell, (String) e[0]);
      assertEquals(e[1], cell.getAs(COHORT_CUSTOMERS), (String) e[0]);
      assertEquals(e[2], cell.getAs(ACTIVE_CUSTOMERS), (String) e[0]);
      assertEquals((double) e[3], cell.<Double>getAs(RETENTION_RATE), 1e-12, (String) e[0]);
      assertEquals(money((String) e[4]), cell.getAs(REVENUE_PER_CUSTOMER), (String) e[0]);
      assertEquals(
          money((String) e[5]), cell.getAs(CUMULATIVE_REVENUE_PER_CUSTOMER), (String) e[0]);
    }
    assertFalse(cells.get("2025-01-01+3").<Boolean>getAs(PERIOD_COMPLETE), "April is cut");
    assertTrue(cells.get("2025-01-01+2").<Boolean>getAs(PERIOD_COMPLETE));
    assertEquals(Date.valueOf("2025-03-01"), cells.get("2025-01-01+2").getAs(PERIOD_MONTH));
    assertTrue(
        cells
            .get("2025-01-01+1")
            .isNullAt(cells.get("2025-01-01+1").fieldIndex(EXPECTED_ACTIVE_SHARE)));
    // under net the return subtracts: February's month 0 is 50.00
    assertEquals(
        money("50.00"),
        cells(ReturnsPolicy.NET, Optional.empty()).get("2025-02-01+0").getAs(REVENUE));
  }

  /**
   * The model's share of each cell is the mean over the cohort's customers from their own first
   * day, in weeks: January month 1 (February, 28 days) starts 27 days after a's first purchase and
   * 12 after b's; April is cut at the 16th, 101 and 86 days after.
   */
  @Test
  void expectedSharesAverageTheCohortsFirstDays() {
    Map<String, Row> cells = cells(ReturnsPolicy.EXCLUDE, Optional.of(CDNOW));
    assertEquals(1.0, cells.get("2025-01-01+0").<Double>getAs(EXPECTED_ACTIVE_SHARE), 0.0);
    double february = (CDNOW.activeShare(27 / 7.0, 4) + CDNOW.activeShare(12 / 7.0, 4)) / 2;
    assertEquals(february, cells.get("2025-01-01+1").<Double>getAs(EXPECTED_ACTIVE_SHARE), 1e-12);
    double aprilAlive = (CDNOW.aliveShare(101 / 7.0) + CDNOW.aliveShare(86 / 7.0)) / 2;
    assertEquals(aprilAlive, cells.get("2025-01-01+3").<Double>getAs(EXPECTED_ALIVE_SHARE), 1e-12);
    // c: March starts 15 days after 14 February and lasts 31
    assertEquals(
        CDNOW.activeShare(15 / 7.0, 31 / 7.0),
        cells.get("2025-02-01+1").<Double>getAs(EXPECTED_ACTIVE_SHARE),
        1e-12);
  }

  @Test
  void activeMonthsAndMonthsSinceFirst() {
    Map<String, Row> activity =
        byId(
            CustomerMonths.activity(
                CustomerMonths.of(cohortLines(), SNAPSHOT, ReturnsPolicy.EXCLUDE), SNAPSHOT));
    assertEquals(3L, activity.get("a").<Long>getAs(ACTIVE_MONTHS), "January, March, April");
    assertEquals(3, activity.get("a").<Integer>getAs(MONTHS_SINCE_FIRST), "January to April");
    assertEquals(1L, activity.get("c").<Long>getAs(ACTIVE_MONTHS));
    assertFalse(activity.containsKey("d"), "returns only: no purchase month");
  }
}
