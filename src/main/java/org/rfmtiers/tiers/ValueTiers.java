package org.rfmtiers.tiers;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.clustering.KMeans;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.rfmtiers.config.TierSettings;

/**
 * Value tiers: MLlib k-means on log-scaled, winsorized, standardized recency, frequency and
 * monetary.
 *
 * <p>Logs tame the long right tails of frequency and spend; clipping the logs at the {@code
 * winsorize-quantile} tails keeps a single whale from claiming a cluster of its own; automatic k
 * maximises the silhouette over [k-min, k-max] on a fixed-seed sample, skipping any k whose
 * smallest cluster is below {@code min-cluster-share}. Clusters are then ranked by the value of
 * their centre so tier 1 is the most valuable every night, whatever index k-means gave the cluster.
 * The final model is fitted by MLlib on every customer, starting from the centres the sample's
 * clustering found for that k.
 */
public final class ValueTiers {
  private static final String[] LOGS = {"log_recency", "log_frequency", "log_monetary"};
  private static final String[] Z = {"z_recency", "z_frequency", "z_monetary"};

  /** Partitions of the clustered table: fixed, so results do not depend on the machine. */
  static final int PARTITIONS = 4;

  private final TierSettings settings;

  public ValueTiers(TierSettings settings) {
    this.settings = settings;
  }

  /**
   * @param customers one row per customer with recency_days, frequency and monetary
   */
  public TierResult apply(Dataset<Row> customers) {
    List<String> warnings = new ArrayList<>();
    // k-means|| samples per partition and in row order, and floating-point sums depend on their
    // order,
    // so the same customers in another partitioning could give other scaling and other clusters. A
    // fixed
    // hash partitioning by customer id, sorted, makes the tiers the same on every machine whatever
    // its
    // core count or the input's partitioning; the moments and quantiles are taken over those
    // partitions
    // read in order (coalesce(1)), so they are the same to the last bit.
    Dataset<Row> logs =
        customers
            .repartition(PARTITIONS, col(CUSTOMER_ID))
            .sortWithinPartitions(CUSTOMER_ID)
            .withColumn(LOGS[0], log1p(col(RECENCY_DAYS).cast("double")))
            .withColumn(LOGS[1], log1p(col(FREQUENCY).cast("double")))
            .withColumn(LOGS[2], log1p(greatest(col(MONETARY).cast("double"), lit(0.0))))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> scaled = winsorize(logs);
    Row moments =
        scaled
            .coalesce(1)
            .agg(
                avg(LOGS[0]),
                stddev_pop(LOGS[0]),
                avg(LOGS[1]),
                stddev_pop(LOGS[1]),
                avg(LOGS[2]),
                stddev_pop(LOGS[2]))
            .head();
    double[] mean = new double[3];
    double[] std = new double[3];
    for (int i = 0; i < 3; i++) {
      mean[i] = moments.getDouble(2 * i);
      std[i] = moments.isNullAt(2 * i + 1) ? 0.0 : moments.getDouble(2 * i + 1);
      // A constant feature carries no information: it becomes 0 rather than a division by zero.
      scaled =
          scaled.withColumn(
              Z[i], std[i] > 1e-12 ? col(LOGS[i]).minus(mean[i]).divide(std[i]) : lit(0.0));
    }
    Dataset<Row> points = scaled.persist(StorageLevel.MEMORY_AND_DISK());
    long customerCount = points.count();
    logs.unpersist();
    long distinct = points.select(Z[0], Z[1], Z[2]).distinct().limit(settings.kMax() + 1).count();
    Map<Integer, Double> silhouetteByK = new LinkedHashMap<>();
    int k;
    String selection;
    Double silhouette = null;
    double[][] sampled = null;
    Choice chosen = null;
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
      int high = (int) Math.min(settings.kMax(), distinct);
      int low = Math.min(settings.kMin(), high);
      selection = high < settings.kMin() ? "reduced" : "auto";
      if (high < settings.kMin()) {
        warnings.add(
            "only "
                + distinct
                + " distinct customers (after scaling): k searched over ["
                + low
                + ", "
                + high
                + "]");
      }
      sampled = sample(points, customerCount);
      chosen = chooseK(sampled, Math.max(2, low), high, silhouetteByK, warnings);
      k = chosen.k();
      silhouette = chosen.silhouette();
    }

    Dataset<Row> clustered;
    double[][] centres;
    if (k <= 1) {
      clustered = points.withColumn(CLUSTER_ID, lit(0));
      centres =
          new double[][] {
            {0.0, 0.0, 0.0}
          }; // one cluster: its centre is the mean, 0 when standardized
    } else {
      if (sampled == null) {
        sampled = sample(points, customerCount);
      }
      int[] start =
          chosen != null && chosen.k() == k
              ? chosen.assignment()
              : SampleClustering.kMeans(sampled, k, settings.maxIterations(), settings.seed());
      centres = fit(points, k, SampleClustering.centres(sampled, start, k));
      clustered = points.withColumn(CLUSTER_ID, nearest(centres));
      if (centres.length < k) {
        warnings.add("k-means returned " + centres.length + " clusters for k = " + k);
      }
    }

    List<TierCentre> ranked = rank(centres, mean, std);
    Column tier = lit(null).cast("int");
    Column name = lit(null).cast("string");
    for (TierCentre centre : ranked) {
      tier = when(col(CLUSTER_ID).equalTo(centre.clusterId()), lit(centre.tier())).otherwise(tier);
      name =
          when(col(CLUSTER_ID).equalTo(centre.clusterId()), lit(centre.tierName())).otherwise(name);
    }
    Dataset<Row> assigned =
        clustered.withColumn(TIER, tier).withColumn(TIER_NAME, name).drop(LOGS).drop(Z);
    return new TierResult(
        assigned, ranked.size(), selection, silhouette, silhouetteByK, ranked, warnings, points);
  }

  private Dataset<Row> winsorize(Dataset<Row> logs) {
    double q = settings.winsorizeQuantile();
    if (q <= 0) {
      return logs;
    }
    double[][] bounds = logs.coalesce(1).stat().approxQuantile(LOGS, new double[] {q, 1 - q}, 1e-4);
    for (int i = 0; i < LOGS.length; i++) {
      if (bounds[i].length == 2) {
        logs =
            logs.withColumn(
                LOGS[i], least(greatest(col(LOGS[i]), lit(bounds[i][0])), lit(bounds[i][1])));
      }
    }
    return logs;
  }

  /** The chosen k, its silhouette and the sample's clusters for it. */
  private record Choice(int k, Double silhouette, int[] assignment) {}

  /**
   * A fixed-seed sample of at most tiers.selection-sample-size customers' scaled features, on the
   * driver: the sample is bounded by that setting.
   */
  private double[][] sample(Dataset<Row> points, long customerCount) {
    double fraction = Math.min(1.0, settings.selectionSampleSize() / (double) customerCount);
    Dataset<Row> sample = fraction < 1.0 ? points.sample(false, fraction, settings.seed()) : points;
    List<Row> rows =
        sample.select(Z[0], Z[1], Z[2]).limit(settings.selectionSampleSize()).collectAsList();
    double[][] sampled = new double[rows.size()][];
    for (int i = 0; i < sampled.length; i++) {
      Row r = rows.get(i);
      sampled[i] = new double[] {r.getDouble(0), r.getDouble(1), r.getDouble(2)};
    }
    return sampled;
  }

  /**
   * Scores every k in [low, high] on the sample, clustered on the driver ({@link
   * SampleClustering}).
   */
  private Choice chooseK(
      double[][] sampled,
      int low,
      int high,
      Map<Integer, Double> silhouetteByK,
      List<String> warnings) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    int fallback = low;
    double fallbackScore = Double.NEGATIVE_INFINITY;
    Map<Integer, int[]> assignments = new HashMap<>();
    for (int k = low; k <= high; k++) {
      int[] assignment =
          SampleClustering.kMeans(sampled, k, settings.maxIterations(), settings.seed());
      assignments.put(k, assignment);
      long[] sizes = new long[k];
      for (int cluster : assignment) {
        sizes[cluster]++;
      }
      long nonEmpty = Arrays.stream(sizes).filter(size -> size > 0).count();
      if (nonEmpty < 2) {
        continue;
      }
      double score = SampleClustering.silhouette(sampled, assignment, k);
      silhouetteByK.put(k, score);
      long smallest = Arrays.stream(sizes).filter(size -> size > 0).min().orElse(0);
      if (score > fallbackScore) {
        fallback = k;
        fallbackScore = score;
      }
      if (nonEmpty == k
          && smallest >= settings.minClusterShare() * sampled.length
          && score > bestScore) {
        best = k;
        bestScore = score;
      }
    }
    if (best < 0) {
      warnings.add(
          "no k in ["
              + low
              + ", "
              + high
              + "] keeps every cluster above tiers.min-cluster-share = "
              + settings.minClusterShare()
              + ": using the best silhouette, k = "
              + fallback);
      return new Choice(fallback, silhouetteByK.get(fallback), assignments.get(fallback));
    }
    return new Choice(best, bestScore, assignments.get(best));
  }

  /**
   * MLlib k-means on every customer, from the centres of the sample's clusters ({@code start}; null
   * when the sample left a cluster empty: then from k-means|| seeds). Starting near the end saves
   * most of Lloyd's iterations, each a Spark job over every customer (10 M lines: 40 iterations
   * before).
   */
  private double[][] fit(Dataset<Row> points, int k, double[][] start) {
    KMeans kMeans =
        new KMeans().setK(k).setMaxIterations(settings.maxIterations()).setSeed(settings.seed());
    if (start != null) {
      Vector[] initial = new Vector[k];
      for (int c = 0; c < k; c++) {
        initial[c] = Vectors.dense(start[c]);
      }
      kMeans.setInitialModel(new KMeansModel(initial));
    }
    JavaRDD<Vector> data =
        points
            .select(Z[0], Z[1], Z[2])
            .toJavaRDD()
            .map(row -> Vectors.dense(row.getDouble(0), row.getDouble(1), row.getDouble(2)));
    Vector[] fitted = kMeans.run(data.rdd()).clusterCenters();
    double[][] centres = new double[fitted.length][];
    for (int c = 0; c < fitted.length; c++) {
      centres[c] = fitted[c].toArray();
    }
    return centres;
  }

  /** The index of the nearest centre (squared Euclidean; the lowest index on ties, as MLlib's). */
  private static Column nearest(double[][] centres) {
    Column[] distances = new Column[centres.length];
    for (int c = 0; c < centres.length; c++) {
      distances[c] = distance(centres[c]);
    }
    Column smallest = centres.length == 1 ? distances[0] : least(distances);
    Column index = when(distances[0].equalTo(smallest), lit(0));
    for (int c = 1; c < centres.length; c++) {
      index = index.when(distances[c].equalTo(smallest), lit(c));
    }
    return index;
  }

  private static Column distance(double[] centre) {
    Column sum = lit(0.0);
    for (int i = 0; i < Z.length; i++) {
      Column diff = col(Z[i]).minus(lit(centre[i]));
      sum = sum.plus(diff.multiply(diff));
    }
    return sum;
  }

  /** Orders clusters by value (best first) and maps their centres back to original units. */
  private List<TierCentre> rank(double[][] centres, double[] mean, double[] std) {
    List<Integer> order = new ArrayList<>();
    for (int c = 0; c < centres.length; c++) {
      order.add(c);
    }
    Comparator<Integer> byValue =
        settings.orderBy() == TierSettings.TierOrder.MONETARY
            ? Comparator.comparingDouble(c -> -centres[c][2])
            : Comparator.comparingDouble(c -> -(centres[c][1] + centres[c][2] - centres[c][0]));
    order.sort(byValue.thenComparingInt(c -> c));
    List<TierCentre> ranked = new ArrayList<>();
    for (int position = 0; position < order.size(); position++) {
      int c = order.get(position);
      double[] original = new double[3];
      for (int i = 0; i < 3; i++) {
        original[i] = Math.expm1(centres[c][i] * std[i] + mean[i]);
      }
      int tier = position + 1;
      ranked.add(
          new TierCentre(
              tier, settings.nameOf(tier, order.size()), c, original[0], original[1], original[2]));
    }
    return ranked;
  }
}
