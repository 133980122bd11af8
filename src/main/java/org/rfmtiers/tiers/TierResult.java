package org.rfmtiers.tiers;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The output of {@link ValueTiers}: customers with {@code cluster_id}, {@code tier}, {@code
 * tier_name} and {@code tier_model_id}; the model that scored them, whether this night trained it
 * (and why) or reused it, and the drift measures it was judged by. The centres list is ordered by
 * tier; it is bounded by k, so it lives on the driver. {@code cached} is the clustered table the
 * customers are computed from; unpersist it when done.
 *
 * @param trainedReason why this night trained the model; empty when it reused the kept one
 * @param drift the drift measures of the kept model on this night's customers (empty when there was
 *     no kept model or it was retrained for another reason first)
 */
public record TierResult(
    Dataset<Row> customers,
    TierModel model,
    Optional<String> trainedReason,
    Map<String, Double> drift,
    List<TierCentre> centres,
    List<String> warnings,
    Dataset<Row> cached) {

  public int k() {
    return model.k();
  }

  public String kSelection() {
    return model.selection();
  }

  public Double silhouette() {
    return model.silhouette();
  }

  public Map<Integer, Double> silhouetteByK() {
    return model.silhouetteByK();
  }

  public boolean trained() {
    return trainedReason.isPresent();
  }

  /** One line on the model: its id, trained (why) or reused (its drift). */
  public String describeModel() {
    if (trained()) {
      return model.modelId() + " trained: " + trainedReason.get();
    }
    return model.modelId()
        + " (trained on "
        + model.trainedSnapshot()
        + ") reused"
        + (drift.isEmpty()
            ? ""
            : String.format(
                Locale.ROOT,
                "; drift: largest PSI %.3f, cost ratio %.3f",
                drift.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("psi_"))
                    .mapToDouble(Map.Entry::getValue)
                    .max()
                    .orElse(0),
                drift.getOrDefault("cost_ratio", 1.0)));
  }

  /** "trained" or "reused". */
  public String action() {
    return trained() ? "trained" : "reused";
  }
}
