package org.rfmtiers.output;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.config.MaintenanceSettings;

/**
 * Housekeeping of the warehouse's Delta tables: deletes snapshots past the retention (never the
 * latest), compacts small files with OPTIMIZE (Z-ordered by customer_id for the per-customer
 * tables), and removes unreferenced files with VACUUM after the safe retention. Returns one line
 * per table.
 */
public final class TableMaintenance {
  private static final List<String> PER_CUSTOMER =
      List.of(Tables.CUSTOMER_RFM, Tables.CUSTOMER_CLV, Tables.CUSTOMER_TIERS_CURRENT);

  private final SparkSession spark;
  private final DeltaTables tables;
  private final MaintenanceSettings settings;

  public TableMaintenance(SparkSession spark, DeltaTables tables, MaintenanceSettings settings) {
    this.spark = spark;
    this.tables = tables;
    this.settings = settings;
  }

  public List<String> run(LocalDate today) {
    List<String> report = new ArrayList<>();
    List<String> all = new ArrayList<>(Tables.SNAPSHOT_TABLES);
    all.add(Tables.CUSTOMER_TIERS_CURRENT);
    all.add(Tables.RUN_LOG);
    all.addAll(Tables.STATE_TABLES); // state_lines gains small files every incremental night
    for (String table : all) {
      if (!tables.exists(table)) {
        continue;
      }
      String path = "delta.`" + tables.path(table) + "`";
      long filesBefore = files(path);
      long deleted = 0;
      if (settings.snapshotRetentionDays().isPresent() && Tables.SNAPSHOT_TABLES.contains(table)) {
        deleted =
            deleteOldSnapshots(
                table, path, today.minusDays(settings.snapshotRetentionDays().getAsInt()));
      }
      spark.sql(
          "OPTIMIZE "
              + path
              + (settings.zorder() && PER_CUSTOMER.contains(table)
                  ? " ZORDER BY (" + CUSTOMER_ID + ")"
                  : ""));
      spark.sql("VACUUM " + path + " RETAIN " + settings.vacuumRetentionHours() + " HOURS");
      report.add(
          String.format(
              Locale.ROOT,
              "%-22s files %d -> %d, snapshot rows deleted %d",
              table,
              filesBefore,
              files(path),
              deleted));
    }
    return report;
  }

  /** Deletes snapshots before the cutoff but never the latest one; returns the rows deleted. */
  private long deleteOldSnapshots(String table, String path, LocalDate cutoff) {
    Row latest = tables.read(table).agg(max(col(SNAPSHOT_DATE))).head();
    if (latest.isNullAt(0)) {
      return 0;
    }
    LocalDate keepFrom =
        cutoff.isAfter(latest.getDate(0).toLocalDate()) ? latest.getDate(0).toLocalDate() : cutoff;
    long doomed =
        tables.read(table).filter(col(SNAPSHOT_DATE).lt(lit(Date.valueOf(keepFrom)))).count();
    if (doomed > 0) {
      spark.sql("DELETE FROM " + path + " WHERE " + SNAPSHOT_DATE + " < DATE'" + keepFrom + "'");
    }
    return doomed;
  }

  private long files(String path) {
    return spark.sql("DESCRIBE DETAIL " + path).head().<Long>getAs("numFiles");
  }
}
