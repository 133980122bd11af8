package org.rfmtiers.config;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Every setting of a nightly run, parsed and validated once at the edge. */
public record JobSettings(
    InputSettings input,
    ReturnsPolicy returnsPolicy,
    FrequencyBasis frequencyBasis,
    ValidationSettings validation,
    ScoreSettings scores,
    TierSettings tiers,
    ClvSettings clv,
    SegmentSettings segments,
    ChurnSettings churn,
    String warehouse,
    int lockTimeoutMinutes,
    Optional<String> catalogDatabase,
    MaintenanceSettings maintenance,
    ReportSettings report,
    String sparkMaster,
    Map<String, String> sparkConf) {

  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]{0,127}";

  private static final Pattern SECRET =
      Pattern.compile("(?i).*(password|secret|token|credential|access\\.?key|private).*");

  public JobSettings {
    sparkConf = Map.copyOf(sparkConf);
    catalogDatabase.ifPresent(
        db -> {
          if (!db.matches(IDENTIFIER + "(\\." + IDENTIFIER + ")?")) {
            throw new SettingsException(
                "output.catalog-database = \""
                    + db
                    + "\" must be a schema name or catalog.schema (Unity Catalog), each part"
                    + " letters, digits and underscores");
          }
        });
  }

  /** The folder of the per-run HTML reports: report.dir, or "report" under the warehouse. */
  public String reportDir() {
    return report.dir().orElse(warehouse.replaceAll("/+$", "") + "/report");
  }

  /** The settings as text for run_log, with the values of secret-looking Spark settings masked. */
  public String redacted() {
    Map<String, String> masked = new TreeMap<>();
    sparkConf.forEach(
        (key, value) -> masked.put(key, SECRET.matcher(key).matches() ? "***" : value));
    return new JobSettings(
            input,
            returnsPolicy,
            frequencyBasis,
            validation,
            scores,
            tiers,
            clv,
            segments,
            churn,
            warehouse,
            lockTimeoutMinutes,
            catalogDatabase,
            maintenance,
            report,
            sparkMaster,
            Map.of())
        .toString()
        .replace("sparkConf={}", "sparkConf=" + masked);
  }
}
