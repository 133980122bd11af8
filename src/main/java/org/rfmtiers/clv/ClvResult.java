package org.rfmtiers.clv;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The CLV stage's output: per-customer predictions and both fits, or nothing with the reason when the
 * data is too small to fit (a warning, not a failure).
 */
public record ClvResult(
    Optional<Dataset<Row>> customers,
    Optional<ModelFit<BgNbd>> bgNbd,
    Optional<ModelFit<GammaGamma>> gammaGamma,
    long fitMillis,
    List<String> warnings) {

  static ClvResult skipped(String why) {
    return new ClvResult(Optional.empty(), Optional.empty(), Optional.empty(), 0, List.of(why));
  }
}
