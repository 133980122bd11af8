package org.rfmtiers.clv;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The CLV stage's output: per-customer predictions and both fits, or nothing with the reason when
 * the data is too small to fit (a warning, not a failure).
 */
public record ClvResult(
    Optional<Dataset<Row>> customers,
    Optional<ModelFit<BgNbd>> bgNbd,
    Optional<ModelFit<GammaGamma>> gammaGamma,
    long fitMillis,
    List<String> warnings) {

  /**
   * One line for the console: both fits' parameters and log-likelihoods, or why CLV was skipped.
   */
  public String describe() {
    if (bgNbd.isEmpty() || gammaGamma.isEmpty()) {
      return String.join("; ", warnings);
    }
    BgNbd bg = bgNbd.get().model();
    GammaGamma gg = gammaGamma.get().model();
    return String.format(
        Locale.ROOT,
        "BG/NBD r=%.4g alpha=%.4g a=%.4g b=%.4g (LL %.1f); Gamma-Gamma p=%.4g q=%.4g gamma=%.4g (LL %.1f);"
            + " fitted in %d ms",
        bg.r(),
        bg.alpha(),
        bg.a(),
        bg.b(),
        bgNbd.get().logLikelihood(),
        gg.p(),
        gg.q(),
        gg.gamma(),
        gammaGamma.get().logLikelihood(),
        fitMillis);
  }

  static ClvResult skipped(String why) {
    return new ClvResult(Optional.empty(), Optional.empty(), Optional.empty(), 0, List.of(why));
  }
}
