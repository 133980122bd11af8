package org.rfmtiers.tiers;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.rfmtiers.config.TierSettings;

/**
 * Value tiers: MLlib k-means on log-scaled, winsorized, standardized recency, frequency and
 * monetary, kept as a {@link TierModel} and reused night after night.
 *
 * <p>A night reuses the kept model (same transform, centres, tier ids and names) unless it must
 * retrain: {@code --retrain}, no model yet, a model older than tiers.retrain-after-days, a setting
 * the model depends on changed ({@link TierSettings#modelKey()}), or drift. Drift is judged on
 * nights with at least tiers.drift.min-customers customers, on the selection sample scaled by the
 * kept model: the population stability index of each feature over the model's training deciles, and
 * the within-cluster cost under the kept centres divided by the cost of a fresh k-means with the
 * same k (the better of k-means++ seedings and of the kept centres refined by Lloyd's iterations).
 *
 * <p>Training: logs tame the long right tails of frequency and spend; clipping the logs at the
 * {@code winsorize-quantile} tails keeps a single whale from claiming a cluster of its own;
 * automatic k maximises the silhouette over [k-min, k-max] on a fixed-seed sample, skipping any k
 * whose smallest cluster is below {@code min-cluster-share}. The final centres are fitted by MLlib
 * on every customer, starting from the sample's clusters for that k. Tiers are ranked by value
 * (tiers.order-by: mean CLV of the tier's customers when CLV ran, else the composite of the centre)
 * and named by their profile: where the centre sits on R, F and M among the night's customers.
 * After a retrain, the new tiers are matched to the old ones by optimal assignment on centre
 * distance; a close match keeps the old tier id and name.
 */
public final class ValueTiers {
  private static final String[] LOGS = {"log_recency", "log_frequency", "log_monetary"};
  private static final String[] Z = TierModel.Z;
  private static final String[] FEATURE_NAMES = {"recency", "frequency", "monetary"};

  /** Partitions of the clustered table: fixed, so results do not depend on the machine. */
  static final int PARTITIONS = 4;

  private final TierSettings settings;
  private final Function<String, String> labelOfCode;
  private final TierClustering clustering;

  /**
   * @param labelOfCode the display label of a profile name code (segments.labels.tier)
   */
  public ValueTiers(TierSettings settings, Function<String, String> labelOfCode) {
    this.settings = settings;
    this.labelOfCode = labelOfCode;
    this.clustering = new TierClustering(settings);
  }

  /** Tiers named by rank (tiers.names) or by code when no labels are given. */
  public ValueTiers(TierSettings settings) {
    this(settings, code -> code);
  }

  /**
   * What a night knows besides its customers.
   *
   * @param previous the kept model, if any
   * @param retrain true for --retrain
   * @param value per customer (customer_id, value): this night's CLV, for tiers.order-by = value
   */
  public record Night(
      LocalDate snapshot,
      String runId,
      Optional<TierModel> previous,
      boolean retrain,
      Optional<Dataset<Row>> value) {

    /** A first night, with nothing kept and no CLV. */
    public static Night first(LocalDate snapshot) {
      return new Night(snapshot, "run", Optional.empty(), false, Optional.empty());
    }
  }

  /** Trains tiers for one night without a kept model (tests, evaluation). */
  public TierResult apply(Dataset<Row> customers) {
    return apply(customers, Night.first(LocalDate.of(2000, 1, 1)));
  }

  /**
   * @param customers one row per customer with customer_id, recency_days, frequency and monetary
   */
  public TierResult apply(Dataset<Row> customers, Night night) {
    // k-means|| samples per partition and in row order, and floating-point sums depend on their
    // order, so the same customers in another partitioning could give other scaling and other
    // clusters. A fixed hash partitioning by customer id, sorted, makes the tiers the same on every
    // machine whatever its core count or the input's partitioning; the moments and quantiles are
    // taken over those partitions read in order (coalesce(1)), so they are the same to the last
    // bit.
    Dataset<Row> ordered =
        customers.repartition(PARTITIONS, col(CUSTOMER_ID)).sortWithinPartitions(CUSTOMER_ID);
    Optional<String> reason =
        night.previous().isEmpty() ? Optional.of("no tier model yet") : Optional.empty();
    if (reason.isEmpty() && night.retrain()) {
      reason = Optional.of("forced (--retrain)");
    }
    TierModel kept = night.previous().orElse(null);
    if (reason.isEmpty() && !kept.settingsKey().equals(settings.modelKey())) {
      reason = Optional.of("settings changed: " + changed(kept.settingsKey(), settings.modelKey()));
    }
    if (reason.isEmpty()) {
      long age = ChronoUnit.DAYS.between(kept.trainedSnapshot(), night.snapshot());
      if (age > settings.retrainAfterDays()) {
        reason =
            Optional.of(
                "model "
                    + kept.modelId()
                    + " is "
                    + age
                    + " days old (tiers.retrain-after-days = "
                    + settings.retrainAfterDays()
                    + ")");
      }
    }
    Map<String, Double> drift = new LinkedHashMap<>();
    if (reason.isEmpty()) {
      Dataset<Row> points = kept.scaled(ordered).persist(StorageLevel.MEMORY_AND_DISK());
      long count = points.count();
      int enough = settings.driftMinCustomers();
      if (kept.trainingCustomers() < enough && count >= enough) {
        reason =
            Optional.of(
                "model "
                    + kept.modelId()
                    + " was trained on "
                    + kept.trainingCustomers()
                    + " customers, fewer than tiers.drift.min-customers = "
                    + enough
                    + "; tonight has "
                    + count);
      } else if (count >= enough) {
        reason = new TierDrift(settings).judge(kept, clustering.sample(points, count), drift);
      }
      if (reason.isEmpty()) {
        return reuse(kept, points, drift);
      }
      points.unpersist();
    }
    return train(ordered, night, reason.get(), drift);
  }

  /** The settings that differ between two model keys, e.g. "k-max=7 → k-max=8". */
  private static String changed(String before, String now) {
    List<String> was = Arrays.asList(before.split("; "));
    List<String> is = Arrays.asList(now.split("; "));
    List<String> changes = new ArrayList<>();
    for (String setting : is) {
      if (!was.contains(setting)) {
        String key = setting.substring(0, Math.max(0, setting.indexOf('=')));
        String old =
            was.stream().filter(s -> s.startsWith(key + "=")).findFirst().orElse(key + " unset");
        changes.add("tiers." + old + " → " + setting);
      }
    }
    return changes.isEmpty() ? now : String.join(", ", changes);
  }

  private TierResult reuse(TierModel kept, Dataset<Row> points, Map<String, Double> drift) {
    return new TierResult(
        assign(kept, points), kept, Optional.empty(), drift, centres(kept), List.of(), points);
  }

  /** The customers with cluster_id, tier, tier_name and tier_model_id, from the z columns. */
  private Dataset<Row> assign(TierModel model, Dataset<Row> points) {
    Column tier = lit(null).cast("int");
    Column name = lit(null).cast("string");
    Dataset<Row> clustered = points.withColumn(CLUSTER_ID, model.nearest());
    for (int c = 0; c < model.k(); c++) {
      Column here = col(CLUSTER_ID).equalTo(c);
      tier = when(here, lit(model.tiers().get(c).tier())).otherwise(tier);
      name = when(here, lit(name(model.tiers().get(c)))).otherwise(name);
    }
    return clustered
        .withColumn(TIER, tier)
        .withColumn(TIER_NAME, name)
        .withColumn(TIER_MODEL_ID, lit(model.modelId()))
        .drop(Z);
  }

  /** A tier's display name: its profile label (with its suffix), or its rank name. */
  String name(TierModel.Tier tier) {
    if (tier.code() == null) {
      return tier.rankName();
    }
    String label = labelOfCode.apply(tier.code());
    return tier.suffix() > 0 ? label + " (" + tier.suffix() + ")" : label;
  }

  private List<TierCentre> centres(TierModel model) {
    List<TierCentre> centres = new ArrayList<>();
    for (int c = 0; c < model.k(); c++) {
      TierModel.Tier t = model.tiers().get(c);
      centres.add(
          new TierCentre(
              t.tier(),
              name(t),
              c,
              t.original(model, 0),
              t.original(model, 1),
              t.original(model, 2),
              t.code(),
              t.level(0),
              t.level(1),
              t.level(2),
              t.rankByValue()));
    }
    centres.sort(Comparator.comparingInt(TierCentre::tier));
    return centres;
  }

  private TierResult train(
      Dataset<Row> ordered, Night night, String reason, Map<String, Double> drift) {
    List<String> warnings = new ArrayList<>();
    Dataset<Row> logs = ordered;
    for (int i = 0; i < 3; i++) {
      logs =
          logs.withColumn(
              LOGS[i], log1p(greatest(col(TierModel.FEATURES[i]).cast("double"), lit(0.0))));
    }
    logs = logs.persist(StorageLevel.MEMORY_AND_DISK());
    double[] low = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    double[] high = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
    double q = settings.winsorizeQuantile();
    if (q > 0) {
      double[][] bounds =
          logs.coalesce(1).stat().approxQuantile(LOGS, new double[] {q, 1 - q}, 1e-4);
      for (int i = 0; i < 3; i++) {
        if (bounds[i].length == 2) {
          low[i] = bounds[i][0];
          high[i] = bounds[i][1];
        }
      }
    }
    Column[] moments = new Column[6];
    for (int i = 0; i < 3; i++) {
      Column clipped = least(greatest(col(LOGS[i]), lit(low[i])), lit(high[i]));
      moments[2 * i] = avg(clipped);
      moments[2 * i + 1] = stddev_pop(clipped);
    }
    Row m = logs.coalesce(1).agg(moments[0], Arrays.copyOfRange(moments, 1, 6)).head();
    double[] mean = new double[3];
    double[] std = new double[3];
    for (int i = 0; i < 3; i++) {
      mean[i] = m.getDouble(2 * i);
      std[i] = m.isNullAt(2 * i + 1) ? 0.0 : m.getDouble(2 * i + 1);
    }
    // the transform alone (no centres yet) scales the points exactly as the finished model will
    TierModel transform = TierModel.partial(low, high, mean, std, List.of());
    Dataset<Row> points = transform.scaled(logs.drop(LOGS)).persist(StorageLevel.MEMORY_AND_DISK());
    long customerCount = points.count();
    logs.unpersist();
    long distinct = points.select(Z[0], Z[1], Z[2]).distinct().limit(settings.kMax() + 1).count();
    Map<Integer, Double> silhouetteByK = new LinkedHashMap<>();
    int k;
    String selection;
    Double silhouette = null;
    double[][] sampled = clustering.sample(points, customerCount);
    TierClustering.Choice chosen = null;
    if (settings.fixedK().isPresent()) {
      k = (int) Math.min(settings.fixedK().getAsInt(), distinct);
      selection = k < settings.fixedK().getAsInt() ? "reduced" : "fixed";
      if (k < settings.fixedK().getAsInt()) {
        warnings.add(
            "tiers.k = "
                + settings.fixedK().getAsInt()
                + " but only "
                + distinct
                + " distinct customers (after scaling): using k = "
                + k);
      }
    } else if (distinct < 2) {
      k = 1;
      selection = "reduced";
      warnings.add("all " + customerCount + " customers have the same scaled R/F/M: one tier");
    } else {
      int highK = (int) Math.min(settings.kMax(), distinct);
      int lowK = Math.min(settings.kMin(), highK);
      selection = highK < settings.kMin() ? "reduced" : "auto";
      if (highK < settings.kMin()) {
        warnings.add(
            "only "
                + distinct
                + " distinct customers (after scaling): k searched over ["
                + lowK
                + ", "
                + highK
                + "]");
      }
      chosen = clustering.chooseK(sampled, Math.max(2, lowK), highK, silhouetteByK, warnings);
      k = chosen.k();
      silhouette = chosen.silhouette();
    }

    double[][] centres;
    if (k <= 1) {
      centres = new double[][] {{0.0, 0.0, 0.0}}; // one cluster: its centre is the mean, 0 scaled
    } else {
      int[] start =
          chosen != null && chosen.k() == k
              ? chosen.assignment()
              : SampleClustering.kMeans(sampled, k, settings.maxIterations(), settings.seed());
      centres = clustering.fit(points, k, SampleClustering.centres(sampled, start, k));
      if (centres.length < k) {
        warnings.add("k-means returned " + centres.length + " clusters for k = " + k);
      }
    }
    double[] value = value(points, centres, night.value());
    String criterion =
        settings.orderBy() == TierSettings.TierOrder.VALUE && night.value().isPresent()
            ? "mean_clv"
            : settings.orderBy() == TierSettings.TierOrder.MONETARY ? "monetary" : "composite";
    TierModel model =
        build(
            night,
            reason,
            selection,
            silhouette,
            silhouetteByK,
            sampled,
            customerCount,
            criterion,
            low,
            high,
            mean,
            std,
            centres,
            value);
    return new TierResult(
        assign(model, points), model, Optional.of(reason), drift, centres(model), warnings, points);
  }

  /**
   * The value criterion of every cluster, higher = more valuable: the mean of the night's CLV over
   * the cluster's customers (order-by = value with CLV), else the composite z(F) + z(M) - z(R) or
   * the monetary of the centre.
   */
  private double[] value(Dataset<Row> points, double[][] centres, Optional<Dataset<Row>> clv) {
    double[] value = new double[centres.length];
    if (settings.orderBy() == TierSettings.TierOrder.VALUE && clv.isPresent()) {
      TierModel probe = probe(centres);
      Map<Integer, Double> byCluster = new HashMap<>();
      for (Row r :
          points
              .withColumn(CLUSTER_ID, probe.nearest())
              .select(CUSTOMER_ID, CLUSTER_ID)
              .join(clv.get().toDF(CUSTOMER_ID, "value"), CUSTOMER_ID, "left")
              .groupBy(CLUSTER_ID)
              .agg(avg(coalesce(col("value").cast("double"), lit(0.0))))
              .collectAsList()) {
        byCluster.put(r.getInt(0), r.getDouble(1));
      }
      for (int c = 0; c < centres.length; c++) {
        value[c] = byCluster.getOrDefault(c, 0.0);
      }
      return value;
    }
    for (int c = 0; c < centres.length; c++) {
      value[c] =
          settings.orderBy() == TierSettings.TierOrder.MONETARY
              ? centres[c][2]
              : centres[c][1] + centres[c][2] - centres[c][0];
    }
    return value;
  }

  /** A model of bare centres, for {@link TierModel#nearest()} before the tiers are known. */
  static TierModel probe(double[][] centres) {
    List<TierModel.Tier> tiers = new ArrayList<>();
    for (double[] centre : centres) {
      tiers.add(new TierModel.Tier(0, null, 0, null, 0, centre, new double[3], 0));
    }
    return TierModel.partial(null, null, null, null, tiers);
  }

  private TierModel build(
      Night night,
      String reason,
      String selection,
      Double silhouette,
      Map<Integer, Double> silhouetteByK,
      double[][] sampled,
      long customers,
      String criterion,
      double[] low,
      double[] high,
      double[] mean,
      double[] std,
      double[][] centres,
      double[] value) {
    int k = centres.length;
    Integer[] byValue = new Integer[k];
    for (int c = 0; c < k; c++) {
      byValue[c] = c;
    }
    Arrays.sort(
        byValue,
        Comparator.<Integer>comparingDouble(c -> -value[c]).thenComparingInt(Integer::intValue));
    int[] rank = new int[k];
    for (int position = 0; position < k; position++) {
      rank[byValue[position]] = position + 1;
    }
    double[][] typical = TierProfiles.typical(sampled, centres);
    double[][] percentiles = new double[k][3];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < 3; i++) {
        double p = TierProfiles.percentile(sampled, i, typical[c][i]);
        percentiles[c][i] = i == 0 ? 1 - p : p; // R: high is recent
      }
    }
    String modelId = "tm-" + night.snapshot() + "-" + UUID.randomUUID().toString().substring(0, 8);
    // ids, codes and suffixes: by rank, unless a close match in the previous model keeps its own
    int[] ids = new int[k];
    String[] codes = new String[k];
    int[] suffixes = new int[k];
    String[] rankNames = new String[k];
    for (int c = 0; c < k; c++) {
      if (settings.naming() == TierSettings.Naming.PROFILE) {
        TierModel.Tier probeTier =
            new TierModel.Tier(0, null, 0, null, 0, centres[c], percentiles[c], 0);
        codes[c] = settings.profileNames().get(probeTier.profile());
      } else {
        rankNames[c] = settings.nameOf(rank[c], k);
      }
    }
    // the new transform, for rebasing the old centres into its units
    TierModel draft = TierModel.partial(low, high, mean, std, List.of());
    String matching = "";
    Optional<String> previousId = Optional.empty();
    boolean[] kept = new boolean[k];
    if (night.previous().isPresent()) {
      TierModel old = night.previous().get();
      previousId = Optional.of(old.modelId());
      double[][] distance = new double[k][old.k()];
      for (int c = 0; c < k; c++) {
        for (int o = 0; o < old.k(); o++) {
          distance[c][o] = Math.sqrt(SampleClustering.distance(centres[c], old.centreIn(draft, o)));
        }
      }
      int[] match = Assignment.minimise(distance);
      List<String> lines = new ArrayList<>();
      for (int c : byValue) {
        int o = match[c];
        if (o >= 0 && distance[c][o] <= settings.matchMaxDistance()) {
          TierModel.Tier was = old.tiers().get(o);
          ids[c] = was.tier();
          kept[c] = true;
          if (settings.naming() == TierSettings.Naming.PROFILE && was.code() != null) {
            codes[c] = was.code();
            suffixes[c] = was.suffix();
          } else if (settings.naming() == TierSettings.Naming.RANK && was.rankName() != null) {
            rankNames[c] = was.rankName();
          }
          lines.add(
              String.format(
                  Locale.ROOT, "tier %d kept (centre moved %.3f)", was.tier(), distance[c][o]));
        } else if (o >= 0) {
          lines.add(
              String.format(
                  Locale.ROOT,
                  "new tier (nearest old tier %d at %.3f > tiers.match-max-distance)",
                  old.tiers().get(o).tier(),
                  distance[c][o]));
        } else {
          lines.add("new tier (no old tier left to match)");
        }
      }
      matching = String.join("; ", lines);
    }
    Set<Integer> used = new HashSet<>();
    for (int c = 0; c < k; c++) {
      if (kept[c]) {
        used.add(ids[c]);
      }
    }
    int next = 1;
    for (int c : byValue) {
      if (!kept[c]) {
        while (used.contains(next)) {
          next++;
        }
        ids[c] = next;
        used.add(next);
      }
    }
    if (!matching.isEmpty()) {
      // say which id each new tier got, in the same value order as the lines
      List<String> lines = new ArrayList<>(Arrays.asList(matching.split("; ")));
      for (int position = 0; position < k; position++) {
        int c = byValue[position];
        if (!kept[c]) {
          lines.set(position, "tier " + ids[c] + " " + lines.get(position));
        }
      }
      matching = String.join("; ", lines);
    }
    if (settings.naming() == TierSettings.Naming.PROFILE) {
      TierProfiles.suffix(codes, suffixes, kept, byValue);
    }
    return new TierModel(
        modelId,
        night.snapshot(),
        night.runId(),
        reason,
        selection,
        silhouette,
        Map.copyOf(new TreeMap<>(silhouetteByK)),
        sampled.length,
        customers,
        settings.seed(),
        settings.modelKey(),
        criterion,
        previousId,
        matching,
        low,
        high,
        mean,
        std,
        tiersOf(centres, ids, codes, suffixes, rankNames, rank, percentiles, value),
        TierDrift.edges(sampled),
        TierDrift.psiShares(sampled));
  }

  private static List<TierModel.Tier> tiersOf(
      double[][] centres,
      int[] ids,
      String[] codes,
      int[] suffixes,
      String[] rankNames,
      int[] rank,
      double[][] percentiles,
      double[] value) {
    List<TierModel.Tier> tiers = new ArrayList<>();
    for (int c = 0; c < centres.length; c++) {
      tiers.add(
          new TierModel.Tier(
              ids[c],
              codes[c],
              suffixes[c],
              rankNames[c],
              rank[c],
              centres[c],
              percentiles[c],
              value[c]));
    }
    return tiers;
  }
}
