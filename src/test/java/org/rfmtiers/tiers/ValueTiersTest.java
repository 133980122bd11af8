package org.rfmtiers.tiers;

import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.rfmtiers.TestRows;
import org.rfmtiers.config.TierSettings;

class ValueTiersTest {
  private static final List<String> NAMES =
      List.of(
          "Champions", "Loyal", "Potential", "Promising", "Needs Attention", "At Risk", "Dormant");

  private static TierSettings settings(OptionalInt k, int kMin, int kMax) {
    return new TierSettings(
        k,
        kMin,
        kMax,
        42L,
        40,
        50_000,
        0.005,
        0.001,
        TierSettings.TierOrder.COMPOSITE,
        NAMES,
        TierSettings.Naming.RANK,
        Map.of(),
        90,
        0.25,
        1.15,
        500,
        0.5);
  }

  /** Three obvious groups of 20: recent big frequent spenders, middling, lapsed one-time buyers. */
  private static Dataset<Row> threeGroups() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(new Object[] {"mid" + i, 30 + i % 10, 5 + i % 4, 300 + 5 * i});
      rows.add(new Object[] {"low" + i, 300 + 5 * i, 1, 10 + i % 10});
      rows.add(new Object[] {"top" + i, 1 + i % 3, 50 + i % 10, 5000 + 50 * i});
    }
    return TestRows.customers(rows.toArray(Object[][]::new));
  }

  private static Map<String, Set<Integer>> tiersByGroup(TierResult result) {
    Map<String, Set<Integer>> byGroup = new HashMap<>();
    for (Row r : result.customers().collectAsList()) {
      String group = r.<String>getAs(CUSTOMER_ID).replaceAll("\\d", "");
      byGroup.computeIfAbsent(group, g -> new HashSet<>()).add(r.getAs(TIER));
    }
    return byGroup;
  }

  @Test
  void tiersAreOrderedByValue() {
    TierResult result = new ValueTiers(settings(OptionalInt.of(3), 3, 7)).apply(threeGroups());
    assertEquals(
        Map.of("top", Set.of(1), "mid", Set.of(2), "low", Set.of(3)), tiersByGroup(result));
    assertEquals("Champions", result.centres().get(0).tierName());
    assertEquals("Dormant", result.centres().get(2).tierName());
    TierCentre top = result.centres().get(0);
    assertTrue(top.monetary() > 4000 && top.monetary() < 6000, "centre in original units: " + top);
    assertEquals("fixed", result.kSelection());
  }

  @Test
  void automaticKFindsTheThreeGroups() {
    TierResult result = new ValueTiers(settings(OptionalInt.empty(), 2, 6)).apply(threeGroups());
    assertEquals(3, result.k());
    assertEquals("auto", result.kSelection());
    assertEquals(result.silhouetteByK().get(3), result.silhouette());
    assertEquals(5, result.silhouetteByK().size(), "k = 2..6 all scored");
    assertEquals(
        Map.of("top", Set.of(1), "mid", Set.of(2), "low", Set.of(3)), tiersByGroup(result));
  }

  @Test
  void sameInputGivesSameTiers() {
    List<Row> first =
        new ValueTiers(settings(OptionalInt.empty(), 2, 5))
            .apply(threeGroups())
            .customers()
            .select(CUSTOMER_ID, TIER, CLUSTER_ID)
            .orderBy(CUSTOMER_ID)
            .collectAsList();
    List<Row> second =
        new ValueTiers(settings(OptionalInt.empty(), 2, 5))
            .apply(threeGroups())
            .customers()
            .select(CUSTOMER_ID, TIER, CLUSTER_ID)
            .orderBy(CUSTOMER_ID)
            .collectAsList();
    assertEquals(first, second);
  }

  @Test
  void inputPartitioningDoesNotChangeTheTiers() {
    List<Row> one =
        new ValueTiers(settings(OptionalInt.empty(), 2, 5))
            .apply(threeGroups().coalesce(1))
            .customers()
            .select(CUSTOMER_ID, TIER, CLUSTER_ID)
            .orderBy(CUSTOMER_ID)
            .collectAsList();
    List<Row> three =
        new ValueTiers(settings(OptionalInt.empty(), 2, 5))
            .apply(threeGroups().repartition(3))
            .customers()
            .select(CUSTOMER_ID, TIER, CLUSTER_ID)
            .orderBy(CUSTOMER_ID)
            .collectAsList();
    assertEquals(one, three);
  }

  @Test
  void aWhaleDoesNotGetATierOfItsOwn() {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(new Object[] {"a" + i, 5 + i % 20, 3 + i % 5, 100 + i});
      rows.add(new Object[] {"b" + i, 200 + i, 1, 20 + i % 7});
    }
    rows.add(new Object[] {"whale", 1, 5000, 50_000_000});
    TierResult result =
        new ValueTiers(settings(OptionalInt.empty(), 2, 5))
            .apply(TestRows.customers(rows.toArray(Object[][]::new)));
    for (Row r : result.customers().groupBy(TIER).count().collectAsList()) {
      assertTrue(
          r.getLong(1) > 1, "tier " + r.get(0) + " holds a single customer; k = " + result.k());
    }
  }

  @Test
  void identicalCustomersGiveOneTierAndAWarning() {
    TierResult result =
        new ValueTiers(settings(OptionalInt.empty(), 3, 7))
            .apply(
                TestRows.customers(
                    new Object[] {"a", 5, 2, "10"},
                    new Object[] {"b", 5, 2, "10"},
                    new Object[] {"c", 5, 2, "10"}));
    assertEquals(1, result.k());
    assertNull(result.silhouette());
    assertFalse(result.warnings().isEmpty());
    assertEquals(
        Set.of(1),
        new HashSet<>(result.customers().select(TIER).as(Encoders.INT()).collectAsList()));
  }

  @Test
  void fewerCustomersThanKReducesK() {
    TierResult result =
        new ValueTiers(settings(OptionalInt.of(5), 3, 7))
            .apply(
                TestRows.customers(
                    new Object[] {"a", 5, 2, "10"}, new Object[] {"b", 300, 1, "5"}));
    assertEquals(2, result.k());
    assertEquals("reduced", result.kSelection());
    assertEquals(2, result.customers().select(TIER).distinct().count());
  }
}
