package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;

import java.util.List;
import org.apache.spark.sql.Column;
import org.rfmtiers.config.SegmentSettings;

/** Maps a stable code column to its label (or action) in the configured language. */
final class Labels {
  private Labels() {}

  static Column name(SegmentSettings settings, String scheme, List<String> codes, Column code) {
    Column label = lit(null).cast("string");
    for (String c : codes) {
      label =
          when(code.equalTo(c), lit(settings.label(scheme, c).name(settings.language())))
              .otherwise(label);
    }
    return label;
  }

  static Column action(SegmentSettings settings, String scheme, List<String> codes, Column code) {
    Column action = lit(null).cast("string");
    for (String c : codes) {
      action =
          when(code.equalTo(c), lit(settings.label(scheme, c).action(settings.language())))
              .otherwise(action);
    }
    return action;
  }

  /**
   * The reference statistic of a numeric column over the whole snapshot: mean or (exact) median.
   */
  static Column reference(SegmentSettings.Reference reference, Column value) {
    return reference == SegmentSettings.Reference.MEAN
        ? avg(value.cast("double"))
        : percentile(value.cast("double"), lit(0.5));
  }

  /**
   * The value a customer must exceed to be high: the (1 - highShare) percentile for top-share (so
   * the top share is high and ties at the cut stay together, low), else the mean or median.
   */
  static Column highCut(SegmentSettings.MatrixSplit split, double highShare, Column value) {
    return switch (split) {
      case TOP_SHARE -> percentile(value.cast("double"), lit(1 - highShare));
      case MEAN -> reference(SegmentSettings.Reference.MEAN, value);
      case MEDIAN -> reference(SegmentSettings.Reference.MEDIAN, value);
    };
  }
}
