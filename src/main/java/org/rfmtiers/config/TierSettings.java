package org.rfmtiers.config;

import java.util.List;
import java.util.OptionalInt;

/** k-means value tier settings: fixed or automatic k, seed, robustness knobs and display names. */
public record TierSettings(
    OptionalInt fixedK,
    int kMin,
    int kMax,
    long seed,
    int maxIterations,
    int selectionSampleSize,
    double minClusterShare,
    double winsorizeQuantile,
    TierOrder orderBy,
    List<String> names) {

  /** How clusters are ranked into tiers. */
  public enum TierOrder {
    COMPOSITE,
    MONETARY
  }

  public TierSettings {
    if (kMin < 1 || kMax < kMin || kMax > 50) {
      throw new SettingsException(
          "tiers.k-min = " + kMin + ", tiers.k-max = " + kMax + ": need 1 <= k-min <= k-max <= 50");
    }
    if (fixedK.isPresent() && (fixedK.getAsInt() < 1 || fixedK.getAsInt() > 50)) {
      throw new SettingsException(
          "tiers.k = " + fixedK.getAsInt() + " must be \"auto\" or a number from 1 to 50");
    }
    if (maxIterations < 1 || selectionSampleSize < 100) {
      throw new SettingsException(
          "tiers.max-iterations must be >= 1 and tiers.selection-sample-size >= 100");
    }
    if (!(minClusterShare >= 0 && minClusterShare < 0.5)) {
      throw new SettingsException(
          "tiers.min-cluster-share = " + minClusterShare + " must be in [0, 0.5)");
    }
    if (!(winsorizeQuantile >= 0 && winsorizeQuantile < 0.5)) {
      throw new SettingsException(
          "tiers.winsorize-quantile = " + winsorizeQuantile + " must be in [0, 0.5)");
    }
    if (names.isEmpty()) {
      throw new SettingsException("tiers.names must list at least one name");
    }
    names = List.copyOf(names);
  }

  /**
   * The display name of tier {@code tier} (1 = most valuable) out of {@code k}. With fewer tiers
   * than names, names are taken evenly from the first to the last, so the best tier is always the
   * first name and the worst the last; with more tiers than names the extra ones are called "Tier
   * N".
   */
  public String nameOf(int tier, int k) {
    if (k > names.size()) {
      return tier <= names.size() ? names.get(tier - 1) : "Tier " + tier;
    }
    if (k == 1) {
      return names.get(0);
    }
    int index = (int) Math.round((tier - 1) * (names.size() - 1) / (double) (k - 1));
    return names.get(index);
  }
}
