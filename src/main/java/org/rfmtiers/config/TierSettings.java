package org.rfmtiers.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * k-means value tier settings: fixed or automatic k, seed, robustness knobs, how tiers are ordered
 * and named, and when the kept tier model is retrained.
 */
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
    List<String> names,
    Naming naming,
    Map<String, String> profileNames,
    int retrainAfterDays,
    double maxPsi,
    double maxCostRatio,
    int driftMinCustomers,
    double matchMaxDistance) {

  /** How clusters are ranked into tiers. */
  public enum TierOrder {
    VALUE,
    COMPOSITE,
    MONETARY
  }

  /** Where a tier's name comes from. */
  public enum Naming {
    PROFILE,
    RANK
  }

  /** The levels of a profile key, in the order of the key's letters: R, F, M. */
  public static final List<String> LEVELS = List.of("L", "M", "H");

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
    if (driftMinCustomers < 1) {
      throw new SettingsException("tiers.drift.min-customers must be >= 1");
    }
    if (retrainAfterDays < 1) {
      throw new SettingsException("tiers.retrain-after-days must be >= 1");
    }
    if (!(maxPsi > 0) || !(maxCostRatio > 1) || !(matchMaxDistance > 0)) {
      throw new SettingsException(
          "tiers.drift.max-psi must be > 0, tiers.drift.max-cost-ratio > 1 and"
              + " tiers.match-max-distance > 0");
    }
    if (naming == Naming.PROFILE) {
      for (String r : LEVELS) {
        for (String f : LEVELS) {
          for (String m : LEVELS) {
            if (!profileNames.containsKey(r + f + m)) {
              throw new SettingsException(
                  "tiers.profile-names."
                      + r
                      + f
                      + m
                      + " is missing: every R, F, M profile (levels H, M, L) needs a name code");
            }
          }
        }
      }
    }
    names = List.copyOf(names);
    profileNames = Map.copyOf(profileNames);
  }

  /**
   * What a kept tier model depends on: a model trained under other values of these is retrained.
   * The drift thresholds and the retraining age are left out (they decide when, not what).
   */
  public String modelKey() {
    return "k="
        + (fixedK.isPresent() ? fixedK.getAsInt() : "auto")
        + "; k-min="
        + kMin
        + "; k-max="
        + kMax
        + "; seed="
        + seed
        + "; selection-sample-size="
        + selectionSampleSize
        + "; min-cluster-share="
        + minClusterShare
        + "; winsorize-quantile="
        + winsorizeQuantile
        + "; order-by="
        + orderBy.name().toLowerCase(Locale.ROOT)
        + "; naming="
        + naming.name().toLowerCase(Locale.ROOT)
        + (naming == Naming.RANK
            ? "; names=" + names
            : "; profile-names=" + new TreeMap<>(profileNames));
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
