package org.rfmtiers.config;

import java.util.OptionalInt;

/** What {@code rfm-tiers maintain} does: snapshot retention, VACUUM retention, Z-ordering. */
public record MaintenanceSettings(
    OptionalInt snapshotRetentionDays, int vacuumRetentionHours, boolean zorder) {
  public MaintenanceSettings {
    if (vacuumRetentionHours < 168) {
      throw new SettingsException(
          "maintenance.vacuum-retention-hours = "
              + vacuumRetentionHours
              + " is below 168: readers and time travel of the last week could lose their files");
    }
    if (snapshotRetentionDays.isPresent() && snapshotRetentionDays.getAsInt() < 1) {
      throw new SettingsException(
          "maintenance.snapshot-retention-days must be at least 1, or null");
    }
  }
}
