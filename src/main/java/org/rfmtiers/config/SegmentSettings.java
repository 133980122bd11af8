package org.rfmtiers.config;

import java.util.List;
import java.util.Map;

/**
 * Settings of the customer-management schemes: references, pyramid cut points, lifecycle rules,
 * labels.
 */
public record SegmentSettings(
    Language language,
    Reference reference,
    PyramidBy pyramidBy,
    List<Double> pyramidShares,
    int currentWindowDays,
    MatrixSplit matrixReference,
    double matrixHighShare,
    Lifecycle lifecycle,
    Quadrants quadrants,
    Map<String, Map<String, Label>> labels) {

  /**
   * The display language: of the *_name columns and of everything else a person reads
   * (display.language, else segments.language).
   */
  public enum Language {
    EN,
    ZH
  }

  /** The statistic a value is compared with to call it high or low. */
  public enum Reference {
    MEAN,
    MEDIAN
  }

  /** How the value matrix splits current and future value into high and low. */
  public enum MatrixSplit {
    TOP_SHARE,
    MEAN,
    MEDIAN
  }

  /** What the customer pyramid ranks by. */
  public enum PyramidBy {
    MONETARY,
    CLV
  }

  /** A code's labels in both languages and, for RFM segments, its recommended action. */
  public record Label(String en, String zh, String actionEn, String actionZh) {
    public String name(Language language) {
      return language == Language.ZH ? zh : en;
    }

    public String action(Language language) {
      return language == Language.ZH ? actionZh : actionEn;
    }
  }

  /** Lifecycle thresholds; see conf/rfm-tiers.conf for the rationale of each. */
  public record Lifecycle(
      int explorationDays,
      int trendWindowDays,
      double risingRatio,
      double fallingRatio,
      double declineGapMultiple,
      double churnGapMultiple,
      int churnDays) {
    public Lifecycle {
      if (explorationDays < 1 || trendWindowDays < 1 || churnDays < 1) {
        throw new SettingsException(
            "segments.lifecycle.exploration-days, trend-window-days and churn-days must be >= 1");
      }
      if (!(risingRatio > 1 && fallingRatio > 0 && fallingRatio < 1)) {
        throw new SettingsException(
            "segments.lifecycle.rising-ratio must be > 1 and falling-ratio in (0, 1)");
      }
      if (!(declineGapMultiple > 0 && churnGapMultiple > declineGapMultiple)) {
        throw new SettingsException(
            "segments.lifecycle.churn-gap-multiple must exceed decline-gap-multiple (> 0)");
      }
    }
  }

  /** What the loyalty x value quadrants rank value by. */
  public enum QuadrantValue {
    MONETARY,
    CLV
  }

  /**
   * Loyalty x value quadrants: the value measure and its cut (as the value matrix's), the loyalty
   * cut and the tenure at which the tenure part of loyalty is full; see conf/rfm-tiers.conf.
   */
  public record Quadrants(
      QuadrantValue valueBy,
      MatrixSplit valueReference,
      double valueHighShare,
      double loyaltyCut,
      int tenureFullDays) {
    public Quadrants {
      if (!(valueHighShare > 0 && valueHighShare < 1)) {
        throw new SettingsException(
            "segments.quadrants.value-high-share = " + valueHighShare + " must be in (0, 1)");
      }
      if (!(loyaltyCut > 0 && loyaltyCut < 1)) {
        throw new SettingsException(
            "segments.quadrants.loyalty-cut = "
                + loyaltyCut
                + " must be in (0, 1): loyalty_score runs from 0 to 1");
      }
      if (tenureFullDays < 1) {
        throw new SettingsException(
            "segments.quadrants.tenure-full-days = " + tenureFullDays + " must be >= 1");
      }
    }
  }

  /** The labels of the value tiers' profile name codes: segments.labels.tier. */
  public static final String TIER_SCHEME = "tier";

  public static final List<String> RFM_CODES =
      List.of(
          "IMPORTANT_VALUE",
          "IMPORTANT_DEVELOP",
          "IMPORTANT_RETAIN",
          "IMPORTANT_WINBACK",
          "GENERAL_VALUE",
          "GENERAL_DEVELOP",
          "GENERAL_RETAIN",
          "GENERAL_WINBACK");
  public static final List<String> PYRAMID_CODES = List.of("VIP", "MAJOR", "ORDINARY", "SMALL");
  public static final List<String> MATRIX_CODES = List.of("VIP", "DEVELOP", "MAINTAIN", "ABANDON");
  public static final List<String> QUADRANT_CODES =
      List.of("TRUE_FRIEND", "BUTTERFLY", "BARNACLE", "STRANGER");
  public static final List<String> LIFECYCLE_CODES =
      List.of("EXPLORATION", "FORMATION", "STABILITY", "DECLINE", "CHURNED");

  public SegmentSettings {
    if (pyramidShares.size() != 3
        || pyramidShares.stream().anyMatch(s -> !(s > 0))
        || pyramidShares.stream().mapToDouble(Double::doubleValue).sum() >= 1) {
      throw new SettingsException(
          "segments.pyramid.shares = "
              + pyramidShares
              + " must be three positive shares (VIP, major, ordinary) adding up to less than 1");
    }
    if (currentWindowDays < 1) {
      throw new SettingsException("segments.matrix.current-window-days must be >= 1");
    }
    if (!(matrixHighShare > 0 && matrixHighShare < 1)) {
      throw new SettingsException(
          "segments.matrix.high-share = " + matrixHighShare + " must be in (0, 1)");
    }
    check(labels, "rfm", RFM_CODES);
    check(labels, "pyramid", PYRAMID_CODES);
    check(labels, "matrix", MATRIX_CODES);
    check(labels, "lifecycle", LIFECYCLE_CODES);
    check(labels, "quadrant", QUADRANT_CODES);
    pyramidShares = List.copyOf(pyramidShares);
    labels = Map.copyOf(labels);
  }

  private static void check(
      Map<String, Map<String, Label>> labels, String scheme, List<String> codes) {
    for (String code : codes) {
      if (!labels.getOrDefault(scheme, Map.of()).containsKey(code)) {
        throw new SettingsException("segments.labels." + scheme + "." + code + " is missing");
      }
    }
  }

  public Label label(String scheme, String code) {
    return labels.get(scheme).get(code);
  }
}
