package org.rfmtiers.config;

import java.util.List;
import java.util.Optional;

/** Optional fixed cut points for the 1-5 scores; absent means quintiles computed per snapshot. */
public record ScoreSettings(
    Optional<List<Double>> recencyCuts,
    Optional<List<Double>> frequencyCuts,
    Optional<List<Double>> monetaryCuts) {

  public ScoreSettings {
    check("recency", recencyCuts);
    check("frequency", frequencyCuts);
    check("monetary", monetaryCuts);
  }

  private static void check(String metric, Optional<List<Double>> cuts) {
    cuts.ifPresent(
        list -> {
          boolean ascending = true;
          for (int i = 1; i < list.size(); i++) {
            ascending &= list.get(i) > list.get(i - 1);
          }
          if (list.size() != 4 || !ascending) {
            throw new SettingsException(
                "scores.thresholds."
                    + metric
                    + " = "
                    + list
                    + " must be four strictly ascending numbers (the cut points between scores 1..5), or null");
          }
        });
  }
}
