package org.rfmtiers.scoring;

import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.rfmtiers.TestRows;
import org.rfmtiers.config.ScoreSettings;

class RfmScorerTest {
  private static final ScoreSettings QUANTILES =
      new ScoreSettings(Optional.empty(), Optional.empty(), Optional.empty());

  /** Customers A, B and D: recency 11, 16, 1; frequency 3, 1, 2; monetary 170.50, 30.00, 31.00. */
  private static Dataset<Row> threeCustomers() {
    return TestRows.customers(
        new Object[] {"A", 11, 3, "170.50"},
        new Object[] {"B", 16, 1, "30.00"},
        new Object[] {"D", 1, 2, "31.00"});
  }

  @Test
  void threeCustomersByHand() {
    // n = 3: rank r gets 1 + floor(5 (r - 1) / 3) = 1, 2, 4
    Dataset<Row> customers = threeCustomers();
    Map<String, String> cells = new HashMap<>();
    for (Row r : new RfmScorer(QUANTILES).apply(customers).customers().collectAsList()) {
      cells.put(r.getAs(CUSTOMER_ID), r.getAs(RFM_CELL));
      assertEquals(
          r.<Integer>getAs(R_SCORE) + r.<Integer>getAs(F_SCORE) + r.<Integer>getAs(M_SCORE),
          r.<Integer>getAs(RFM_SCORE));
    }
    assertEquals(Map.of("A", "244", "B", "111", "D", "422"), cells);
  }

  @Test
  void fixedCutsForOneMetricLeaveTheOthersQuintiles() {
    // the customers of threeCustomersByHand: R and M keep their quintile scores (R 2, 1, 4; M 4,
    // 1, 2) when only frequency has cut points; frequency 3, 1, 2 against (1, 2, 4, 8] bins: 3, 1,
    // 2
    ScoreSettings frequencyFixed =
        new ScoreSettings(
            Optional.empty(), Optional.of(List.of(1.0, 2.0, 4.0, 8.0)), Optional.empty());
    Dataset<Row> customers = threeCustomers();
    Map<String, String> cells = new HashMap<>();
    for (Row r : new RfmScorer(frequencyFixed).apply(customers).customers().collectAsList()) {
      cells.put(r.getAs(CUSTOMER_ID), r.getAs(RFM_CELL));
    }
    assertEquals(Map.of("A", "234", "B", "111", "D", "422"), cells);
  }

  @Test
  void heavyTiesStillGiveFiveEqualScores() {
    // 70 % of customers bought once: equal-count bins must still use all five scores
    Object[][] rows = new Object[100][];
    for (int i = 0; i < 100; i++) {
      rows[i] = new Object[] {"c" + i, 10, i < 70 ? 1 : 2 + i % 5, "10.00"};
    }
    RfmScorer.Scored scored = new RfmScorer(QUANTILES).apply(TestRows.customers(rows));
    Map<Integer, Long> sizes = new TreeMap<>();
    for (Row r : scored.customers().groupBy(F_SCORE).count().collectAsList()) {
      sizes.put(r.getInt(0), r.getLong(1));
    }
    assertEquals(Map.of(1, 20L, 2, 20L, 3, 20L, 4, 20L, 5, 20L), sizes);
    // and the same input gives the same scores, customer by customer
    assertEquals(
        scored.customers().select(CUSTOMER_ID, RFM_CELL).collectAsList(),
        new RfmScorer(QUANTILES)
            .apply(TestRows.customers(rows))
            .customers()
            .select(CUSTOMER_ID, RFM_CELL)
            .collectAsList());
    Row top = scored.thresholds().filter("metric = 'frequency' and score = 5").head();
    assertEquals(3.0, top.<Double>getAs(MIN_VALUE), 0.0, "ranks 81-100 hold values 3 to 6");
    assertEquals(6.0, top.<Double>getAs(MAX_VALUE), 0.0);
    assertEquals("quantile", top.getAs(METHOD));
  }

  @Test
  void fixedCutPointsScoreTiesAlike() {
    ScoreSettings fixed =
        new ScoreSettings(
            Optional.of(List.of(14.0, 30.0, 90.0, 180.0)),
            Optional.of(List.of(1.0, 2.0, 4.0, 8.0)),
            Optional.of(List.of(50.0, 100.0, 250.0, 500.0)));
    Dataset<Row> customers =
        TestRows.customers(
            new Object[] {"a", 10, 1, "50.00"},
            new Object[] {"b", 14, 1, "50.01"},
            new Object[] {"c", 15, 9, "1000"},
            new Object[] {"d", 400, 3, "250"});
    RfmScorer.Scored scored = new RfmScorer(fixed).apply(customers);
    Map<String, String> cells = new HashMap<>();
    scored
        .customers()
        .collectAsList()
        .forEach(r -> cells.put(r.getAs(CUSTOMER_ID), r.getAs(RFM_CELL)));
    assertEquals(Map.of("a", "511", "b", "512", "c", "455", "d", "133"), cells);
    Row recency4 = scored.thresholds().filter("metric = 'recency_days' and score = 4").head();
    assertEquals(14.0, recency4.<Double>getAs(MIN_VALUE), 0.0);
    assertEquals(30.0, recency4.<Double>getAs(MAX_VALUE), 0.0);
    assertEquals("fixed", recency4.getAs(METHOD));
  }
}
