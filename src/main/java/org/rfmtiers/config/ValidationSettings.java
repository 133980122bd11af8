package org.rfmtiers.config;

import java.time.LocalDate;

/** Row validation limits: the tolerated reject rate and the accepted timestamp range. */
public record ValidationSettings(double maxRejectRate, LocalDate minDate, int maxFutureDays) {
  public ValidationSettings {
    if (!(maxRejectRate >= 0 && maxRejectRate <= 1)) {
      throw new SettingsException(
          "validation.max-reject-rate = " + maxRejectRate + " must be between 0 and 1");
    }
    if (maxFutureDays < 0) {
      throw new SettingsException(
          "validation.max-future-days = " + maxFutureDays + " must be 0 or more");
    }
  }
}
