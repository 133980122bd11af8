package org.rfmtiers.tiers;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A trained value-tier model: the feature transform and the centres, with each centre's tier id,
 * name and profile. Applying it is pure arithmetic, so every night that reuses it scores customers
 * exactly as the night that trained it would have: same k, same tier ids, same names.
 *
 * <p>Transform of a customer's recency_days, frequency and monetary (in that order): {@code log1p},
 * clipped to [low, high] (the training night's winsorize bounds), minus the training mean, divided
 * by the training standard deviation (a constant feature becomes 0). A customer belongs to the
 * nearest centre (squared Euclidean; the first on ties, as MLlib's predict).
 *
 * @param tiers the centres in cluster order (cluster_id = index): what MLlib's saved model holds
 * @param psiEdges per feature, the inner edges of the training sample's deciles (scaled units)
 * @param psiShares per feature, the training sample's share in each of the edges' bins
 */
public record TierModel(
    String modelId,
    LocalDate trainedSnapshot,
    String runId,
    String reason,
    String selection,
    Double silhouette,
    Map<Integer, Double> silhouetteByK,
    long sampleSize,
    long trainingCustomers,
    long seed,
    String settingsKey,
    String valueCriterion,
    Optional<String> previousModelId,
    String matching,
    double[] low,
    double[] high,
    double[] mean,
    double[] std,
    List<Tier> tiers,
    double[][] psiEdges,
    double[][] psiShares) {

  /** The features in transform order. */
  static final String[] FEATURES = {RECENCY_DAYS, FREQUENCY, MONETARY};

  static final String[] Z = {"z_recency", "z_frequency", "z_monetary"};

  /**
   * One tier of the model.
   *
   * @param code the profile name code (null when tiers are named by rank)
   * @param suffix 0, or the tier's number among the model's tiers sharing its code
   * @param rankName the name under tiers.naming = rank (null under profile naming)
   * @param rankByValue 1 = the most valuable tier of the model
   * @param centre the centre in scaled units
   * @param percentiles the percentile of the tier's median customer among the training customers on
   *     R (1 = most recent), F and M
   * @param value the value criterion of the tier at training (mean CLV or the composite)
   */
  public record Tier(
      int tier,
      String code,
      int suffix,
      String rankName,
      int rankByValue,
      double[] centre,
      double[] percentiles,
      double value) {

    /** The tier's level on R, F and M: H, M or L. */
    public String level(int feature) {
      double p = percentiles[feature];
      return p >= 2.0 / 3 ? "H" : p >= 1.0 / 3 ? "M" : "L";
    }

    public String profile() {
      return level(0) + level(1) + level(2);
    }

    /** The centre in original units (days, orders, money). */
    public double original(TierModel model, int feature) {
      return Math.expm1(centre[feature] * model.std()[feature] + model.mean()[feature]);
    }
  }

  public int k() {
    return tiers.size();
  }

  /**
   * A model of a transform and centres only, while a training builds the rest: the transform scales
   * points ({@link #scaled}), the centres assign them ({@link #nearest()}).
   */
  static TierModel partial(
      double[] low, double[] high, double[] mean, double[] std, List<Tier> tiers) {
    return new TierModel(
        "",
        null,
        "",
        "",
        "",
        null,
        Map.of(),
        0,
        0,
        0,
        "",
        "",
        Optional.empty(),
        "",
        low,
        high,
        mean,
        std,
        tiers,
        null,
        null);
  }

  /** The scaled features of {@code customers} as columns z_recency, z_frequency, z_monetary. */
  public Dataset<Row> scaled(Dataset<Row> customers) {
    Dataset<Row> out = customers;
    for (int i = 0; i < FEATURES.length; i++) {
      out = out.withColumn(Z[i], scaled(i, col(FEATURES[i])));
    }
    return out;
  }

  private Column scaled(int i, Column feature) {
    if (!(std[i] > 1e-12)) {
      return lit(0.0);
    }
    Column logged = log1p(greatest(feature.cast("double"), lit(0.0)));
    Column clipped = least(greatest(logged, lit(low[i])), lit(high[i]));
    return clipped.minus(mean[i]).divide(std[i]);
  }

  /** The index of the nearest centre, from the z columns. */
  public Column nearest() {
    Column smallest = distance(0);
    for (int c = 1; c < tiers.size(); c++) {
      smallest = least(smallest, distance(c));
    }
    Column index = when(distance(0).equalTo(smallest), lit(0));
    for (int c = 1; c < tiers.size(); c++) {
      index = index.when(distance(c).equalTo(smallest), lit(c));
    }
    return index;
  }

  private Column distance(int c) {
    double[] centre = tiers.get(c).centre();
    Column sum = lit(0.0);
    for (int i = 0; i < Z.length; i++) {
      Column diff = col(Z[i]).minus(lit(centre[i]));
      sum = sum.plus(diff.multiply(diff));
    }
    return sum;
  }

  /** The nearest centre's index of one point in scaled units (the driver's {@link #nearest()}). */
  int nearest(double[] point) {
    int best = 0;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int c = 0; c < tiers.size(); c++) {
      double d = SampleClustering.distance(point, tiers.get(c).centre());
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Rebases one of this model's centres into another model's scaled units. */
  double[] centreIn(TierModel other, int c) {
    double[] out = new double[3];
    for (int i = 0; i < 3; i++) {
      double logged = tiers.get(c).centre()[i] * std[i] + mean[i];
      out[i] = other.std()[i] > 1e-12 ? (logged - other.mean()[i]) / other.std()[i] : 0.0;
    }
    return out;
  }
}
