package org.rfmtiers.segments;

import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.config.SegmentSettings;
import org.rfmtiers.config.SettingsLoader;

class SegmentsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add(CUSTOMER_ID, DataTypes.StringType)
          .add(RECENCY_DAYS, DataTypes.IntegerType)
          .add(FREQUENCY, DataTypes.LongType)
          .add(MONETARY, DataTypes.createDecimalType(38, 2))
          .add(TENURE_DAYS, DataTypes.IntegerType)
          .add(ORDERS_RECENT, DataTypes.LongType)
          .add(ORDERS_PRIOR, DataTypes.LongType)
          .add(MEAN_PURCHASE_GAP_DAYS, DataTypes.DoubleType)
          .add(AVG_ORDER_VALUE, DataTypes.createDecimalType(38, 2))
          .add(R_SCORE, DataTypes.IntegerType)
          .add(CURRENT_VALUE, DataTypes.createDecimalType(38, 2));

  /**
   * id, recency, frequency, monetary, tenure, orders recent, orders prior, mean gap (null: one
   * day).
   */
  private static Row customer(
      String id,
      int recency,
      long frequency,
      double monetary,
      int tenure,
      long recent,
      long prior,
      Double gap) {
    return RowFactory.create(
        id,
        recency,
        frequency,
        BigDecimal.valueOf(monetary).setScale(2),
        tenure,
        recent,
        prior,
        gap,
        BigDecimal.valueOf(monetary / frequency).setScale(2, RoundingMode.HALF_UP),
        3,
        BigDecimal.valueOf(monetary / 2).setScale(2, RoundingMode.HALF_UP));
  }

  private static Dataset<Row> frame(List<Row> rows) {
    return SparkTestSession.get().createDataFrame(rows, SCHEMA);
  }

  private static SegmentSettings settings(Map<String, String> overrides) {
    return SettingsLoader.load(null, overrides).segments();
  }

  private static Map<String, String> column(Dataset<Row> data, String column) {
    Map<String, String> byId = new HashMap<>();
    data.select(CUSTOMER_ID, column)
        .collectAsList()
        .forEach(r -> byId.put(r.getString(0), r.getString(1)));
    return byId;
  }

  /**
   * Recent = 10 days vs 100, frequent = 5 orders vs 1, valuable = 500 vs 50: medians 55, 3 and 275.
   */
  private static Dataset<Row> eightCorners() {
    List<Row> rows = new ArrayList<>();
    for (int recent = 0; recent < 2; recent++) {
      for (int frequent = 0; frequent < 2; frequent++) {
        for (int valuable = 0; valuable < 2; valuable++) {
          rows.add(
              customer(
                  "r" + recent + "f" + frequent + "m" + valuable,
                  recent == 1 ? 10 : 100,
                  frequent == 1 ? 5 : 1,
                  valuable == 1 ? 500 : 50,
                  300,
                  1,
                  1,
                  20.0));
        }
      }
    }
    return frame(rows);
  }

  @Test
  void eachCornerLandsInItsRfmSegment() {
    Map<String, String> segments =
        column(new RfmSegments(settings(Map.of())).apply(eightCorners()), RFM_SEGMENT);
    assertEquals(
        Map.of(
            "r1f1m1",
            "IMPORTANT_VALUE",
            "r1f0m1",
            "IMPORTANT_DEVELOP",
            "r0f1m1",
            "IMPORTANT_RETAIN",
            "r0f0m1",
            "IMPORTANT_WINBACK",
            "r1f1m0",
            "GENERAL_VALUE",
            "r1f0m0",
            "GENERAL_DEVELOP",
            "r0f1m0",
            "GENERAL_RETAIN",
            "r0f0m0",
            "GENERAL_WINBACK"),
        segments);
  }

  @Test
  void labelsAndActionsInBothLanguages() {
    Dataset<Row> english = new RfmSegments(settings(Map.of())).apply(eightCorners());
    Dataset<Row> chinese =
        new RfmSegments(settings(Map.of("segments.language", "zh"))).apply(eightCorners());
    assertEquals("Important value", column(english, RFM_SEGMENT_NAME).get("r1f1m1"));
    assertEquals("重要价值客户", column(chinese, RFM_SEGMENT_NAME).get("r1f1m1"));
    assertEquals("一般挽留客户", column(chinese, RFM_SEGMENT_NAME).get("r0f0m0"));
    assertEquals(
        "IMPORTANT_VALUE",
        column(chinese, RFM_SEGMENT).get("r1f1m1"),
        "codes do not change with language");
    assertTrue(column(english, RFM_SEGMENT_ACTION).get("r1f1m1").startsWith("Reward"));
    assertEquals("倾斜资源，提供VIP服务与专属权益", column(chinese, RFM_SEGMENT_ACTION).get("r1f1m1"));
  }

  @Test
  void meanReferenceMovesTheSplit() {
    // c: recency 50 against 27.5 (lapsing), frequency 1 (low either way); monetary 30 against a
    // median
    // of 25 (10, 20, 30, 140) is high, against the mean of 50 it is low
    List<Row> rows =
        List.of(
            customer("a", 5, 1, 10, 300, 1, 1, 20.0),
            customer("b", 5, 1, 20, 300, 1, 1, 20.0),
            customer("c", 50, 1, 30, 300, 1, 1, 20.0),
            customer("d", 50, 9, 140, 300, 1, 1, 20.0));
    assertEquals(
        "IMPORTANT_WINBACK",
        column(new RfmSegments(settings(Map.of())).apply(frame(rows)), RFM_SEGMENT).get("c"));
    assertEquals(
        "GENERAL_WINBACK",
        column(
                new RfmSegments(settings(Map.of("segments.reference", "mean"))).apply(frame(rows)),
                RFM_SEGMENT)
            .get("c"));
  }

  private static Dataset<Row> lifecycleCustomers() {
    return frame(
        List.of(
            customer("long-gone", 400, 6, 100, 900, 0, 0, 50.0),
            customer("past-own-rhythm", 100, 6, 100, 500, 0, 2, 20.0),
            customer("newcomer", 30, 1, 40, 30, 1, 0, null),
            customer("overdue", 40, 6, 100, 500, 0, 3, 20.0),
            customer("slowing", 5, 9, 100, 500, 1, 4, 20.0),
            customer("growing", 5, 9, 100, 200, 5, 2, 20.0),
            customer("steady", 5, 9, 100, 500, 3, 3, 20.0),
            customer("tried-once", 200, 1, 40, 200, 0, 0, null)));
  }

  @Test
  void eachLifecycleStage() {
    Map<String, String> stages =
        column(new LifecycleStage(settings(Map.of())).apply(lifecycleCustomers()), LIFECYCLE_STAGE);
    assertEquals(
        Map.of(
            "long-gone", "CHURNED", // 400 > 365 days
            "past-own-rhythm", "CHURNED", // 100 > 3 x 20
            "newcomer", "EXPLORATION", // tenure 30 <= 90, one order
            "overdue", "DECLINE", // 40 > 1.5 x 20
            "slowing", "DECLINE", // 1 <= 0.75 x 4
            "growing", "FORMATION", // 5 >= 1.25 x 2
            "steady", "STABILITY",
            "tried-once", "DECLINE"),
        stages);
    assertEquals(
        "考察期",
        column(
                new LifecycleStage(settings(Map.of("segments.language", "zh")))
                    .apply(lifecycleCustomers()),
                LIFECYCLE_STAGE_NAME)
            .get("newcomer"));
  }

  @Test
  void everyLifecycleThresholdComesFromConfig() {
    Map<String, String> changed =
        Map.of(
            "segments.lifecycle.churn-days", "150", // tried-once (200 days) is now churned
            "segments.lifecycle.churn-gap-multiple",
                "6", // past-own-rhythm (100 < 120) is no longer churned
            "segments.lifecycle.exploration-days",
                "20", // newcomer (tenure 30) is no longer exploring
            "segments.lifecycle.decline-gap-multiple",
                "2.5", // overdue (40 < 50) is not overdue any more
            "segments.lifecycle.falling-ratio", "0.2", // slowing (1 > 0.8) is not falling any more
            "segments.lifecycle.rising-ratio", "3"); // growing (5 < 6) is not rising any more
    Map<String, String> stages =
        column(new LifecycleStage(settings(changed)).apply(lifecycleCustomers()), LIFECYCLE_STAGE);
    assertEquals("CHURNED", stages.get("tried-once"));
    assertEquals("DECLINE", stages.get("past-own-rhythm"), "100 > 2.5 x 20: overdue");
    assertEquals("FORMATION", stages.get("newcomer"), "one order recently after none before");
    assertEquals("DECLINE", stages.get("overdue"), "still falling: 0 recent vs 3 prior");
    assertEquals("STABILITY", stages.get("slowing"));
    assertEquals("STABILITY", stages.get("growing"));
  }

  @Test
  void pyramidLayersAreExactWithTies() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(customer(String.format("c%03d", i), 10, 1, i < 150 ? 10 : 20 + i, 100, 1, 0, null));
    }
    Dataset<Row> layered = new CustomerPyramid(settings(Map.of()), MONETARY).apply(frame(rows));
    Map<String, Long> sizes = new HashMap<>();
    layered
        .groupBy(CUSTOMER_LAYER)
        .count()
        .collectAsList()
        .forEach(r -> sizes.put(r.getString(0), r.getLong(1)));
    assertEquals(Map.of("VIP", 2L, "MAJOR", 8L, "ORDINARY", 30L, "SMALL", 160L), sizes);
    // the two best spenders are the VIPs; the 150 tied at 10.00 are split deterministically
    assertEquals(
        List.of("c198", "c199"),
        layered
            .filter("customer_layer = 'VIP'")
            .orderBy(CUSTOMER_ID)
            .select(CUSTOMER_ID)
            .as(Encoders.STRING())
            .collectAsList());
    assertEquals(
        layered.select(CUSTOMER_ID, CUSTOMER_LAYER).orderBy(CUSTOMER_ID).collectAsList(),
        new CustomerPyramid(settings(Map.of()), MONETARY)
            .apply(frame(rows))
            .select(CUSTOMER_ID, CUSTOMER_LAYER)
            .orderBy(CUSTOMER_ID)
            .collectAsList());
    Map<String, Long> wider = new HashMap<>();
    new CustomerPyramid(settings(Map.of("segments.pyramid.shares", "[0.05, 0.10, 0.25]")), MONETARY)
        .apply(frame(rows))
        .groupBy(CUSTOMER_LAYER)
        .count()
        .collectAsList()
        .forEach(r -> wider.put(r.getString(0), r.getLong(1)));
    assertEquals(Map.of("VIP", 10L, "MAJOR", 20L, "ORDINARY", 50L, "SMALL", 120L), wider);
  }

  @Test
  void pyramidByClvRanksCustomersWithoutClvLastAndStillCutsExactly() {
    // 10 customers with a CLV (1..10), 10 without; cumulative shares 50 %, 60 %, 70 % of 20 = ranks
    // 10, 12, 14
    StructType withClv = SCHEMA.add(CLV_VALUE, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Row base = customer(String.format("c%02d", i), 10, 1, 10, 100, 1, 0, null);
      Object[] values = new Object[withClv.size()];
      for (int j = 0; j < base.size(); j++) {
        values[j] = base.get(j);
      }
      values[base.size()] = i < 10 ? Double.valueOf(i + 1) : null;
      rows.add(RowFactory.create(values));
    }
    Map<String, String> layers =
        column(
            new CustomerPyramid(
                    settings(Map.of("segments.pyramid.shares", "[0.5, 0.1, 0.1]")), CLV_VALUE)
                .apply(SparkTestSession.get().createDataFrame(rows, withClv)),
            CUSTOMER_LAYER);
    Map<String, Long> sizes = new HashMap<>();
    layers.values().forEach(layer -> sizes.merge(layer, 1L, Long::sum));
    assertEquals(Map.of("VIP", 10L, "MAJOR", 2L, "ORDINARY", 2L, "SMALL", 6L), sizes);
    for (int i = 0; i < 10; i++) {
      assertEquals(
          "VIP",
          layers.get(String.format("c%02d", i)),
          "every customer with a CLV ranks before those without");
    }
  }

  @Test
  void valueMatrixQuadrants() {
    // current value = monetary / 2 here; future from CLV when given
    StructType withClv = SCHEMA.add(CLV_VALUE, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    Object[][] spec = {
      {"both", 400.0, 900.0},
      {"future", 100.0, 800.0},
      {"current", 300.0, 10.0},
      {"neither", 50.0, 5.0}
    };
    for (Object[] s : spec) {
      Row base = customer((String) s[0], 10, 2, (Double) s[1], 100, 1, 1, 10.0);
      Object[] values = new Object[withClv.size()];
      for (int i = 0; i < base.size(); i++) {
        values[i] = base.get(i);
      }
      values[base.size()] = s[2];
      rows.add(RowFactory.create(values));
    }
    Dataset<Row> matrix =
        new ValueMatrix(
                settings(Map.of("segments.matrix.reference", "median")), Optional.of(CLV_VALUE))
            .apply(SparkTestSession.get().createDataFrame(rows, withClv));
    assertEquals(
        Map.of("both", "VIP", "future", "DEVELOP", "current", "MAINTAIN", "neither", "ABANDON"),
        column(matrix, VALUE_MATRIX));
    assertEquals("clv", column(matrix, FUTURE_VALUE_SOURCE).get("both"));
    assertEquals(
        "贵宾型",
        column(
                new ValueMatrix(
                        settings(
                            Map.of(
                                "segments.language", "zh", "segments.matrix.reference", "median")),
                        Optional.of(CLV_VALUE))
                    .apply(SparkTestSession.get().createDataFrame(rows, withClv)),
                VALUE_MATRIX_NAME)
            .get("both"));
  }

  /**
   * Ten customers, current value = monetary / 2 = 10, 20, ..., 100 and future value 100, 90, ...,
   * 10 (the reverse), plus one with both highest: the default top 20 % split makes the top two of
   * eleven by each high. By current: c10 (100) and v (200); by future: c1 (100) and v (500).
   */
  @Test
  void valueMatrixTopShareMakesVipTheSmallGroupWithBothHigh() {
    StructType withClv = SCHEMA.add(CLV_VALUE, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      rows.add(withClv("c" + i, 20.0 * i, 110.0 - 10 * i, withClv));
    }
    rows.add(withClv("v", 400.0, 500.0, withClv));
    Map<String, String> matrix =
        column(
            new ValueMatrix(settings(Map.of()), Optional.of(CLV_VALUE))
                .apply(SparkTestSession.get().createDataFrame(rows, withClv)),
            VALUE_MATRIX);
    assertEquals("VIP", matrix.get("v"));
    assertEquals("MAINTAIN", matrix.get("c10"));
    assertEquals("DEVELOP", matrix.get("c1"));
    assertEquals(8, matrix.values().stream().filter("ABANDON"::equals).count(), matrix.toString());
  }

  private static Row withClv(String id, double monetary, double clv, StructType schema) {
    Row base = customer(id, 10, 2, monetary, 100, 1, 1, 10.0);
    Object[] values = new Object[schema.size()];
    for (int i = 0; i < base.size(); i++) {
      values[i] = base.get(i);
    }
    values[base.size()] = clv;
    return RowFactory.create(values);
  }

  @Test
  void migrationBetweenTwoSnapshots() {
    StructType tiers =
        new StructType()
            .add(CUSTOMER_ID, DataTypes.StringType)
            .add(TIER, DataTypes.IntegerType)
            .add(TIER_NAME, DataTypes.StringType);
    Dataset<Row> previous =
        SparkTestSession.get()
            .createDataFrame(
                List.of(
                    RowFactory.create("a", 1, "Champions"),
                    RowFactory.create("b", 2, "Loyal"),
                    RowFactory.create("c", 2, "Loyal"),
                    RowFactory.create("d", 3, "Dormant")),
                tiers);
    Dataset<Row> current =
        SparkTestSession.get()
            .createDataFrame(
                List.of(
                    RowFactory.create("a", 1, "Champions"),
                    RowFactory.create("b", 1, "Champions"),
                    RowFactory.create("c", 3, "Dormant"),
                    RowFactory.create("e", 2, "Loyal")),
                tiers);
    TierMigration.Result result =
        new TierMigration(Optional.of(LocalDate.of(2024, 1, 1)), "tm-2", Optional.of("tm-1"))
            .apply(current, previous);
    Map<String, Long> moves = new HashMap<>();
    for (Row r : result.migration().collectAsList()) {
      moves.put(
          r.getAs(FROM_TIER) + "->" + r.getAs(TO_TIER) + " " + r.getAs(MOVEMENT),
          r.getAs(CUSTOMERS));
      assertEquals(Date.valueOf("2024-01-01"), r.getAs(PREVIOUS_SNAPSHOT_DATE));
      assertEquals(true, r.getAs(MODEL_RETRAINED), "tm-1 then tm-2: a retrain night");
    }
    assertEquals(
        Map.of(
            "1->1 same", 1L, "2->1 up", 1L, "2->3 down", 1L, "null->2 new", 1L, "3->null lost", 1L),
        moves);
    Map<String, Object> previousTier = new HashMap<>();
    result
        .customers()
        .collectAsList()
        .forEach(r -> previousTier.put(r.getAs(CUSTOMER_ID), r.getAs(PREVIOUS_TIER)));
    assertEquals(1, previousTier.get("a"));
    assertEquals(2, previousTier.get("b"));
    assertEquals(2, previousTier.get("c"));
    assertNull(previousTier.get("e"));
  }
}
