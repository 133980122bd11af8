package org.rfmtiers.tiers;

import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * k-means and its silhouette on the driver, for choosing k on the selection sample (at most {@code
 * tiers.selection-sample-size} points of 3 features: a few MB). Each candidate k costs milliseconds
 * here instead of a dozen Spark jobs; the final model is still fitted by MLlib on every customer.
 *
 * <p>k-means: k-means++ seeding from a fixed seed, then Lloyd iterations until no centre moves more
 * than 1e-4 (MLlib's default tolerance) or the iteration budget is spent; the best of three
 * seedings by within-cluster cost. Silhouette: the squared-Euclidean silhouette that Spark's
 * ClusteringEvaluator computes, from per-cluster sums (O(n k d), not O(n^2)).
 */
final class SampleClustering {
  private static final int SEEDINGS = 3;
  private static final double TOLERANCE = 1e-4;

  private SampleClustering() {}

  /** The cluster of every point. */
  static int[] kMeans(double[][] points, int k, int maxIterations, long seed) {
    Random random = new Random(seed);
    int[] best = null;
    double bestCost = Double.POSITIVE_INFINITY;
    for (int seeding = 0; seeding < SEEDINGS; seeding++) {
      double[][] centres = seed(points, k, random);
      int[] assignment = new int[points.length];
      for (int iteration = 0; iteration < maxIterations; iteration++) {
        assign(points, centres, assignment);
        double moved = update(points, centres, assignment);
        if (moved <= TOLERANCE * TOLERANCE) {
          break;
        }
      }
      double cost = assign(points, centres, assignment);
      if (cost < bestCost) {
        bestCost = cost;
        best = assignment;
      }
    }
    return best;
  }

  /** The within-cluster cost (sum of squared distances to the nearest centre) of the points. */
  static double cost(double[][] points, double[][] centres) {
    return assign(points, centres, new int[points.length]);
  }

  /**
   * Lloyd iterations from the given centres (a warm start); returns the refined centres, the
   * starting ones untouched.
   */
  static double[][] refine(double[][] points, double[][] start, int maxIterations) {
    double[][] centres = new double[start.length][];
    for (int c = 0; c < start.length; c++) {
      centres[c] = start[c].clone();
    }
    int[] assignment = new int[points.length];
    for (int iteration = 0; iteration < maxIterations; iteration++) {
      assign(points, centres, assignment);
      if (update(points, centres, assignment) <= TOLERANCE * TOLERANCE) {
        break;
      }
    }
    return centres;
  }

  /** The mean of every cluster's points, or null when a cluster has none. */
  static double[][] centres(double[][] points, int[] assignment, int k) {
    double[][] means = means(points, assignment, k);
    return Arrays.stream(means).anyMatch(Objects::isNull) ? null : means;
  }

  /** The mean of every cluster's points; null for a cluster without points. */
  private static double[][] means(double[][] points, int[] assignment, int k) {
    int dims = points[0].length;
    double[][] sums = new double[k][dims];
    long[] counts = new long[k];
    for (int i = 0; i < points.length; i++) {
      counts[assignment[i]]++;
      for (int d = 0; d < dims; d++) {
        sums[assignment[i]][d] += points[i][d];
      }
    }
    double[][] means = new double[k][];
    for (int c = 0; c < k; c++) {
      if (counts[c] > 0) {
        means[c] = new double[dims];
        for (int d = 0; d < dims; d++) {
          means[c][d] = sums[c][d] / counts[c];
        }
      }
    }
    return means;
  }

  /** k-means++: each next centre drawn with probability proportional to its squared distance. */
  private static double[][] seed(double[][] points, int k, Random random) {
    double[][] centres = new double[k][];
    centres[0] = points[random.nextInt(points.length)].clone();
    double[] nearest = new double[points.length];
    Arrays.fill(nearest, Double.POSITIVE_INFINITY);
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int i = 0; i < points.length; i++) {
        nearest[i] = Math.min(nearest[i], distance(points[i], centres[c - 1]));
        total += nearest[i];
      }
      int chosen = 0;
      if (total > 0) {
        double target = random.nextDouble() * total;
        for (double cumulative = 0; chosen < points.length - 1; chosen++) {
          cumulative += nearest[chosen];
          if (cumulative >= target) {
            break;
          }
        }
      }
      centres[c] = points[chosen].clone();
    }
    return centres;
  }

  /** Assigns every point to its nearest centre (lowest index on ties); returns the total cost. */
  private static double assign(double[][] points, double[][] centres, int[] assignment) {
    double cost = 0;
    for (int i = 0; i < points.length; i++) {
      int nearest = 0;
      double nearestDistance = Double.POSITIVE_INFINITY;
      for (int c = 0; c < centres.length; c++) {
        double d = distance(points[i], centres[c]);
        if (d < nearestDistance) {
          nearestDistance = d;
          nearest = c;
        }
      }
      assignment[i] = nearest;
      cost += nearestDistance;
    }
    return cost;
  }

  /**
   * Moves each centre to its points' mean (an empty cluster keeps its centre); returns the largest
   * squared move.
   */
  private static double update(double[][] points, double[][] centres, int[] assignment) {
    double[][] means = means(points, assignment, centres.length);
    double moved = 0;
    for (int c = 0; c < centres.length; c++) {
      if (means[c] != null) {
        moved = Math.max(moved, distance(means[c], centres[c]));
        centres[c] = means[c];
      }
    }
    return moved;
  }

  /**
   * Mean silhouette with squared Euclidean distance, as Spark's ClusteringEvaluator: for a point in
   * cluster A, a = mean distance to the other points of A, b = the smallest mean distance to
   * another cluster, s = (b - a) / max(a, b); a point alone in its cluster scores 0.
   */
  static double silhouette(double[][] points, int[] assignment, int k) {
    int dims = points[0].length;
    double[][] sums = new double[k][dims];
    double[] squaredNormSums = new double[k];
    long[] counts = new long[k];
    for (int i = 0; i < points.length; i++) {
      int c = assignment[i];
      counts[c]++;
      squaredNormSums[c] += dot(points[i], points[i]);
      for (int d = 0; d < dims; d++) {
        sums[c][d] += points[i][d];
      }
    }
    double total = 0;
    for (int i = 0; i < points.length; i++) {
      int own = assignment[i];
      double norm = dot(points[i], points[i]);
      if (counts[own] == 1) {
        continue; // s = 0
      }
      double a = 0;
      double b = Double.POSITIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        if (counts[c] == 0) {
          continue;
        }
        // sum over y in C of |x - y|^2 = n |x|^2 + sum |y|^2 - 2 x . sum y
        double sumOfDistances = counts[c] * norm + squaredNormSums[c] - 2 * dot(points[i], sums[c]);
        if (c == own) {
          a = sumOfDistances / (counts[c] - 1); // the point itself adds 0
        } else {
          b = Math.min(b, sumOfDistances / counts[c]);
        }
      }
      if (a < b) {
        total += 1 - a / b;
      } else if (a > b) {
        total += b / a - 1;
      }
    }
    return total / points.length;
  }

  /** The squared Euclidean distance of two points. */
  static double distance(double[] x, double[] y) {
    double sum = 0;
    for (int d = 0; d < x.length; d++) {
      double diff = x[d] - y[d];
      sum += diff * diff;
    }
    return sum;
  }

  private static double dot(double[] x, double[] y) {
    double sum = 0;
    for (int d = 0; d < x.length; d++) {
      sum += x[d] * y[d];
    }
    return sum;
  }
}
