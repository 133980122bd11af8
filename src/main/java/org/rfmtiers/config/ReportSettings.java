package org.rfmtiers.config;

import java.util.Optional;

/**
 * The per-run HTML report: whether {@code run} writes it, where, and how many top customers it
 * lists.
 */
public record ReportSettings(boolean enabled, Optional<String> dir, int topCustomers) {
  public ReportSettings {
    if (topCustomers < 0 || topCustomers > 1_000) {
      throw new SettingsException(
          "report.top-customers = " + topCustomers + " must be between 0 and 1000");
    }
  }
}
