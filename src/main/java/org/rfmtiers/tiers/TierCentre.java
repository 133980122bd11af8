package org.rfmtiers.tiers;

/**
 * One value tier as a night reports it: its id, name and profile, and its k-means centre mapped
 * back from the standardized log scale to original units (so the centre is a geometric-mean-like
 * typical customer, not an arithmetic mean).
 *
 * @param tierCode the profile name code, e.g. CHAMPIONS (null when tiers are named by rank)
 * @param rLevel H, M or L: where the centre's recency sits among the customers (H = recent)
 * @param tierRank 1 = the most valuable tier of the model
 */
public record TierCentre(
    int tier,
    String tierName,
    int clusterId,
    double recencyDays,
    double frequency,
    double monetary,
    String tierCode,
    String rLevel,
    String fLevel,
    String mLevel,
    int tierRank) {}
