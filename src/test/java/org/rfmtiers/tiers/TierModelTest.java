package org.rfmtiers.tiers;

import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.TestRows;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.SegmentSettings;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.TierModelStore;

/** The kept tier model: reuse, drift, forced retraining, matching, profile names, persistence. */
class TierModelTest {
  private static final LocalDate NIGHT = LocalDate.of(2025, 3, 1);

  @TempDir Path dir;

  private static JobSettings settings(Map<String, String> overrides) {
    return SettingsLoader.load(null, overrides);
  }

  private static ValueTiers tiers(JobSettings settings) {
    SegmentSettings segments = settings.segments();
    return new ValueTiers(
        settings.tiers(),
        code -> segments.label(SegmentSettings.TIER_SCHEME, code).name(segments.language()));
  }

  /** A customer: id, recency days, frequency, monetary. */
  private record Customer(String id, int recency, long frequency, double monetary) {}

  /**
   * Five kinds of shop customers: 600 recent frequent big spenders, 600 recent one-time small
   * buyers, 180 middling regulars, 600 lapsed frequent big spenders, 600 one-time small buyers of a
   * few months ago.
   */
  private static List<Customer> shop(Random random) {
    List<Customer> customers = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      customers.add(
          new Customer(
              "champ" + i,
              1 + random.nextInt(20),
              10 + random.nextInt(15),
              800 + 2000 * random.nextDouble()));
      customers.add(
          new Customer("new" + i, 1 + random.nextInt(25), 1, 15 + 40 * random.nextDouble()));
      if (i < 180) {
        customers.add(
            new Customer(
                "mid" + i,
                60 + random.nextInt(90),
                3 + random.nextInt(3),
                150 + 150 * random.nextDouble()));
      }
      customers.add(
          new Customer(
              "lapsed" + i,
              400 + random.nextInt(300),
              8 + random.nextInt(10),
              900 + 2000 * random.nextDouble()));
      customers.add(
          new Customer("lost" + i, 150 + random.nextInt(150), 1, 10 + 30 * random.nextDouble()));
    }
    return customers;
  }

  /**
   * The next night: everyone a day older, 0.3 % of the customers bought again yesterday, and 0.3 %
   * new customers.
   */
  private static List<Customer> nextNight(List<Customer> tonight, Random random, int night) {
    List<Customer> next = new ArrayList<>();
    for (Customer c : tonight) {
      next.add(
          random.nextDouble() < 0.003
              ? new Customer(
                  c.id(), 1, c.frequency() + 1, c.monetary() + 20 + 100 * random.nextDouble())
              : new Customer(c.id(), c.recency() + 1, c.frequency(), c.monetary()));
    }
    for (int i = 0; i < tonight.size() * 3 / 1000; i++) {
      next.add(new Customer("n" + night + "-" + i, 1, 1, 20 + 60 * random.nextDouble()));
    }
    return next;
  }

  private static Dataset<Row> frame(List<Customer> customers) {
    return TestRows.customers(
        customers.stream()
            .map(
                c ->
                    new Object[] {
                      c.id(), c.recency(), c.frequency(), String.format("%.2f", c.monetary())
                    })
            .toArray(Object[][]::new));
  }

  private static Map<String, Integer> tierOf(TierResult result) {
    Map<String, Integer> tiers = new HashMap<>();
    for (Row r : result.customers().select(CUSTOMER_ID, TIER).collectAsList()) {
      tiers.put(r.getString(0), r.getInt(1));
    }
    return tiers;
  }

  private static ValueTiers.Night night(
      LocalDate snapshot, Optional<TierModel> previous, boolean retrain) {
    return new ValueTiers.Night(snapshot, "test", previous, retrain, Optional.empty());
  }

  private static double agreement(Map<String, Integer> before, Map<String, Integer> after) {
    long both = before.keySet().stream().filter(after::containsKey).count();
    long same =
        before.keySet().stream()
            .filter(id -> after.containsKey(id) && after.get(id).equals(before.get(id)))
            .count();
    return same / (double) both;
  }

  @Test
  void consecutiveNightsReuseTheModel() {
    ValueTiers valueTiers = tiers(settings(Map.of()));
    Random random = new Random(7);
    List<Customer> customers = shop(random);
    TierResult first = valueTiers.apply(frame(customers), night(NIGHT, Optional.empty(), false));
    assertEquals(Optional.of("no tier model yet"), first.trainedReason());
    TierResult previous = first;
    for (int n = 1; n <= 4; n++) {
      customers = nextNight(customers, random, n);
      TierResult next =
          valueTiers.apply(
              frame(customers), night(NIGHT.plusDays(n), Optional.of(previous.model()), false));
      assertFalse(next.trained(), "night " + n + " reuses the model: " + next.trainedReason());
      assertEquals(first.model().modelId(), next.model().modelId());
      assertEquals(first.k(), next.k());
      assertEquals(
          first.centres().stream().map(TierCentre::tierName).toList(),
          next.centres().stream().map(TierCentre::tierName).toList());
      double agreement = agreement(tierOf(previous), tierOf(next));
      assertTrue(agreement >= 0.995, "night " + n + " keeps the tiers: " + agreement);
      // recency ages a day a night and few customers buy again here: the measures creep up
      assertTrue(next.drift().get("psi_recency") < 0.25, next.drift().toString());
      assertTrue(next.drift().get("cost_ratio") < 1.15, next.drift().toString());
      previous = next;
    }
  }

  @Test
  void aNewPopulationTriggersARetrainThatKeepsTheUnchangedTiers() {
    ValueTiers valueTiers = tiers(settings(Map.of("tiers.k", "5")));
    Random random = new Random(11);
    List<Customer> customers = shop(random);
    TierResult first = valueTiers.apply(frame(customers), night(NIGHT, Optional.empty(), false));
    // a second shop's customers merged in: 3,000 wholesale buyers, daily and far bigger
    List<Customer> merged = new ArrayList<>(customers);
    for (int i = 0; i < 3000; i++) {
      merged.add(
          new Customer(
              "b2b" + i,
              1 + random.nextInt(3),
              60 + random.nextInt(60),
              50_000 + 50_000 * random.nextDouble()));
    }
    TierResult second =
        valueTiers.apply(
            frame(merged), night(NIGHT.plusDays(1), Optional.of(first.model()), false));
    assertTrue(second.trained());
    assertTrue(second.trainedReason().get().startsWith("drift: "), second.trainedReason().get());
    assertEquals(Optional.of(first.model().modelId()), second.model().previousModelId());
    assertTrue(second.model().matching().contains("kept"), second.model().matching());
    // the lapsed big spenders' tier was not touched by the new shop: same id and name
    Map<String, Integer> before = tierOf(first);
    Map<String, Integer> after = tierOf(second);
    Map<Integer, String> namesBefore = names(first);
    Map<Integer, String> namesAfter = names(second);
    int lapsedTier = before.get("lapsed1");
    assertEquals(lapsedTier, after.get("lapsed1"), second.model().matching());
    assertEquals(namesBefore.get(lapsedTier), namesAfter.get(lapsedTier));
    long lapsedKept =
        before.keySet().stream()
            .filter(id -> id.startsWith("lapsed") && after.get(id).equals(before.get(id)))
            .count();
    assertTrue(lapsedKept >= 594, "lapsed customers keeping their tier: " + lapsedKept);
  }

  private static Map<Integer, String> names(TierResult result) {
    return result.centres().stream()
        .collect(Collectors.toMap(TierCentre::tier, TierCentre::tierName));
  }

  @Test
  void retrainIsForcedAndMatchesEveryUnchangedTier() {
    ValueTiers valueTiers = tiers(settings(Map.of()));
    Dataset<Row> customers = frame(shop(new Random(3)));
    TierResult first = valueTiers.apply(customers, night(NIGHT, Optional.empty(), false));
    TierResult forced =
        valueTiers.apply(customers, night(NIGHT.plusDays(1), Optional.of(first.model()), true));
    assertEquals(Optional.of("forced (--retrain)"), forced.trainedReason());
    assertNotEquals(first.model().modelId(), forced.model().modelId());
    assertEquals(names(first), names(forced), forced.model().matching());
    assertEquals(1.0, agreement(tierOf(first), tierOf(forced)), 1e-9);
  }

  @Test
  void changedSettingsAndAnOldModelRetrain() {
    Dataset<Row> customers = frame(shop(new Random(5)));
    TierResult first =
        tiers(settings(Map.of())).apply(customers, night(NIGHT, Optional.empty(), false));
    TierResult changed =
        tiers(settings(Map.of("tiers.k-max", "6")))
            .apply(customers, night(NIGHT, Optional.of(first.model()), false));
    assertEquals(Optional.of("settings changed: tiers.k-max=7 → k-max=6"), changed.trainedReason());
    TierResult old =
        tiers(settings(Map.of()))
            .apply(customers, night(NIGHT.plusDays(91), Optional.of(first.model()), false));
    assertEquals(
        Optional.of(
            "model " + first.model().modelId() + " is 91 days old (tiers.retrain-after-days = 90)"),
        old.trainedReason());
  }

  /**
   * Names come from the profile whatever k is: the recent, frequent big spenders are Champions and
   * the lapsed frequent big spenders At risk or Can't lose them.
   */
  @Test
  void tiersAreNamedByTheirProfile() {
    Dataset<Row> customers = frame(shop(new Random(9)));
    for (int k : new int[] {3, 5, 7}) {
      JobSettings settings = settings(Map.of("tiers.k", String.valueOf(k)));
      TierResult result = tiers(settings).apply(customers, night(NIGHT, Optional.empty(), false));
      Map<Integer, TierCentre> byTier =
          result.centres().stream().collect(Collectors.toMap(TierCentre::tier, c -> c));
      Map<String, Integer> tierOf = tierOf(result);
      assertEquals("CHAMPIONS", byTier.get(tierOf.get("champ1")).tierCode(), "k = " + k);
      assertTrue(
          Set.of("AT_RISK", "CANT_LOSE").contains(byTier.get(tierOf.get("lapsed1")).tierCode()),
          "k = " + k + ": " + byTier.get(tierOf.get("lapsed1")));
      TierCentre lapsed = byTier.get(tierOf.get("lapsed1"));
      assertEquals("L", lapsed.rLevel());
      assertEquals("H", lapsed.mLevel());
      // names are unique within a model
      assertEquals(
          result.k(), result.centres().stream().map(TierCentre::tierName).distinct().count());
    }
    JobSettings zh = settings(Map.of("segments.language", "zh", "tiers.k", "5"));
    TierResult chinese = tiers(zh).apply(customers, night(NIGHT, Optional.empty(), false));
    assertEquals("冠军客户", names(chinese).get(tierOf(chinese).get("champ1")));
  }

  @Test
  void aRecordedModelIsReadBackAndAssignsAsTheInMemoryOne() {
    JobSettings settings = settings(Map.of());
    Dataset<Row> customers = frame(shop(new Random(13)));
    TierResult trained = tiers(settings).apply(customers, night(NIGHT, Optional.empty(), false));
    DeltaTables tables =
        new DeltaTables(SparkTestSession.get(), dir.resolve("warehouse").toString());
    TierModelStore store = new TierModelStore(SparkTestSession.get(), tables, 2);
    store.record(trained.model(), Instant.parse("2025-03-01T02:00:00Z"));
    TierModel read = store.latest().orElseThrow();
    assertEquals(trained.model().modelId(), read.modelId());
    assertEquals(trained.model().settingsKey(), read.settingsKey());
    TierResult reused = tiers(settings).apply(customers, night(NIGHT, Optional.of(read), false));
    assertFalse(reused.trained());
    assertEquals(tierOf(trained), tierOf(reused));
    assertEquals(names(trained), names(reused));
    // MLlib's own reading of the saved model puts every customer in the same cluster
    KMeansModel mllib = store.load(read.modelId());
    List<Row> scaled =
        read.scaled(customers)
            .select(CUSTOMER_ID, "z_recency", "z_frequency", "z_monetary")
            .collectAsList();
    Map<String, Integer> tiers = tierOf(trained);
    for (Row r : scaled) {
      int cluster = mllib.predict(Vectors.dense(r.getDouble(1), r.getDouble(2), r.getDouble(3)));
      assertEquals(tiers.get(r.getString(0)), read.tiers().get(cluster).tier(), r.getString(0));
    }
  }

  @Test
  void populationStabilityIndexByHand() {
    // bins (-inf, 0] and (0, inf); expected 50/50, actual 75/25:
    // 0.25 ln(0.75/0.5) + (-0.25) ln(0.25/0.5) = 0.25 (0.405465 + 0.693147) = 0.274653
    assertEquals(
        0.274653,
        TierDrift.psi(new double[] {0}, new double[] {0.5, 0.5}, new double[] {-1, -2, 0, 3}),
        1e-6);
    assertArrayEquals(
        new double[] {1, 2, 3}, TierDrift.decileEdges(new double[] {1, 1, 1, 1, 2, 2, 2, 3, 3, 3}));
  }

  @Test
  void assignmentIsOptimal() {
    Random random = new Random(1);
    for (int trial = 0; trial < 50; trial++) {
      int n = 2 + random.nextInt(4);
      double[][] cost = new double[n][n];
      for (double[] row : cost) {
        for (int j = 0; j < n; j++) {
          row[j] = random.nextDouble();
        }
      }
      int[] match = Assignment.minimise(cost);
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += cost[i][match[i]];
      }
      assertEquals(bruteForce(cost, 0, new boolean[n]), total, 1e-12);
    }
    // more rows than columns: the costliest row is left out
    assertArrayEquals(
        new int[] {0, -1, 1}, Assignment.minimise(new double[][] {{1, 9}, {8, 8}, {9, 1}}));
  }

  private static double bruteForce(double[][] cost, int row, boolean[] used) {
    if (row == cost.length) {
      return 0;
    }
    double best = Double.POSITIVE_INFINITY;
    for (int j = 0; j < cost.length; j++) {
      if (!used[j]) {
        used[j] = true;
        best = Math.min(best, cost[row][j] + bruteForce(cost, row + 1, used));
        used[j] = false;
      }
    }
    return best;
  }
}
