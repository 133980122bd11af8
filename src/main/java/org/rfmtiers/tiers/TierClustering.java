package org.rfmtiers.tiers;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.clustering.KMeans;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.TierSettings;

/**
 * The clustering of a training night: the fixed-seed selection sample on the driver, the choice of
 * k on it (silhouette, smallest-cluster share), and MLlib's k-means over every customer from the
 * sample's centres. {@link ValueTiers} scales the points before and names the tiers after.
 */
final class TierClustering {
  private static final String[] Z = TierModel.Z;

  private final TierSettings settings;

  TierClustering(TierSettings settings) {
    this.settings = settings;
  }

  /** The chosen k, its silhouette and the sample's clusters for it. */
  record Choice(int k, Double silhouette, int[] assignment) {}

  /**
   * A fixed-seed sample of at most tiers.selection-sample-size customers' scaled features, on the
   * driver: the sample is bounded by that setting.
   */
  double[][] sample(Dataset<Row> points, long customerCount) {
    double fraction =
        Math.min(1.0, settings.selectionSampleSize() / (double) Math.max(1, customerCount));
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
  Choice chooseK(
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
  double[][] fit(Dataset<Row> points, int k, double[][] start) {
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
}
