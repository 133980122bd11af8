package org.rfmtiers.tiers;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The output of {@link ValueTiers}: customers with {@code cluster_id}, {@code tier} and {@code
 * tier_name}, and how k was chosen. {@code silhouette} is null when it is undefined (a single tier)
 * or not computed (fixed k). The centres list is ordered by tier; it is bounded by k, so it lives
 * on the driver. {@code cached} is the clustered table the customers are computed from; unpersist
 * it when done.
 */
public record TierResult(
    Dataset<Row> customers,
    int k,
    String kSelection,
    Double silhouette,
    Map<Integer, Double> silhouetteByK,
    List<TierCentre> centres,
    List<String> warnings,
    Dataset<Row> cached) {}
