package org.rfmtiers.tiers;

/**
 * One value tier's k-means centre, mapped back from the standardized log scale to original units
 * (so the centre is a geometric-mean-like typical customer, not an arithmetic mean).
 */
public record TierCentre(
    int tier,
    String tierName,
    int clusterId,
    double recencyDays,
    double frequency,
    double monetary) {}
