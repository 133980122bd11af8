package org.rfmtiers.tiers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.rfmtiers.config.TierSettings;

/**
 * Whether tonight's customers still fit a kept tier model: the population stability index of each
 * scaled feature over the model's training deciles, and the within-cluster cost of tonight's sample
 * under the kept centres against a fresh k-means with the same k. {@link ValueTiers} asks it before
 * reusing a model; the training deciles it compares with are recorded by {@link #edges} and {@link
 * #psiShares} when a model is trained.
 */
final class TierDrift {
  private static final String[] FEATURE_NAMES = {"recency", "frequency", "monetary"};

  private final TierSettings settings;

  TierDrift(TierSettings settings) {
    this.settings = settings;
  }

  /**
   * The drift measures of the kept model on the night's sample, and the reason to retrain when one
   * is above its threshold.
   */
  Optional<String> judge(TierModel kept, double[][] sample, Map<String, Double> drift) {
    if (sample.length == 0) {
      return Optional.empty();
    }
    String worstFeature = null;
    double worstPsi = 0;
    for (int i = 0; i < 3; i++) {
      double psi = psi(kept.psiEdges()[i], kept.psiShares()[i], column(sample, i));
      drift.put("psi_" + FEATURE_NAMES[i], psi);
      if (psi > worstPsi) {
        worstPsi = psi;
        worstFeature = FEATURE_NAMES[i];
      }
    }
    double[][] centres = new double[kept.k()][];
    for (int c = 0; c < kept.k(); c++) {
      centres[c] = kept.tiers().get(c).centre();
    }
    double keptCost = SampleClustering.cost(sample, centres);
    double freshCost =
        SampleClustering.cost(
            sample, SampleClustering.refine(sample, centres, settings.maxIterations()));
    if (kept.k() > 1 && sample.length > kept.k()) {
      int[] fresh =
          SampleClustering.kMeans(sample, kept.k(), settings.maxIterations(), settings.seed());
      double[][] freshCentres = SampleClustering.centres(sample, fresh, kept.k());
      if (freshCentres != null) {
        freshCost = Math.min(freshCost, SampleClustering.cost(sample, freshCentres));
      }
    }
    double ratio = freshCost > 0 ? keptCost / freshCost : 1.0;
    drift.put("cost_ratio", ratio);
    if (worstPsi > settings.maxPsi()) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "drift: population stability index of %s %.3f > tiers.drift.max-psi %.3f",
              worstFeature,
              worstPsi,
              settings.maxPsi()));
    }
    if (ratio > settings.maxCostRatio()) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "drift: within-cluster cost %.3f x that of a fresh fit > tiers.drift.max-cost-ratio"
                  + " %.3f",
              ratio,
              settings.maxCostRatio()));
    }
    return Optional.empty();
  }

  static double[] column(double[][] points, int i) {
    double[] values = new double[points.length];
    for (int p = 0; p < points.length; p++) {
      values[p] = points[p][i];
    }
    return values;
  }

  /**
   * Population stability index: sum over bins of (now - then) x ln(now / then), shares floored at
   * 1e-4 so an empty bin counts as a large change rather than an infinite one.
   */
  static double psi(double[] edges, double[] expected, double[] values) {
    double[] actual = shares(edges, values);
    double psi = 0;
    for (int b = 0; b < actual.length; b++) {
      double now = Math.max(actual[b], 1e-4);
      double then = Math.max(expected[b], 1e-4);
      psi += (now - then) * Math.log(now / then);
    }
    return psi;
  }

  /** Shares of values in the bins (-inf, e1], (e1, e2], ..., (em, inf). */
  static double[] shares(double[] edges, double[] values) {
    double[] counts = new double[edges.length + 1];
    for (double v : values) {
      int bin = 0;
      while (bin < edges.length && v > edges[bin]) {
        bin++;
      }
      counts[bin]++;
    }
    for (int b = 0; b < counts.length; b++) {
      counts[b] /= Math.max(values.length, 1);
    }
    return counts;
  }

  /** The distinct deciles of values: the inner edges of the PSI bins. */
  static double[] decileEdges(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    List<Double> edges = new ArrayList<>();
    for (int d = 1; d < 10; d++) {
      if (sorted.length == 0) {
        break;
      }
      double edge = sorted[(int) Math.min(sorted.length - 1, Math.floor(d * sorted.length / 10.0))];
      if (edges.isEmpty() || edge > edges.get(edges.size() - 1)) {
        edges.add(edge);
      }
    }
    return edges.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double[][] edges(double[][] sampled) {
    double[][] edges = new double[3][];
    for (int i = 0; i < 3; i++) {
      edges[i] = decileEdges(column(sampled, i));
    }
    return edges;
  }

  static double[][] psiShares(double[][] sampled) {
    double[][] shares = new double[3][];
    double[][] edges = edges(sampled);
    for (int i = 0; i < 3; i++) {
      shares[i] = shares(edges[i], column(sampled, i));
    }
    return shares;
  }
}
