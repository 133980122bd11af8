package org.rfmtiers.job;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.TableMaintenance;

/**
 * {@code maintain}: housekeeping of the warehouse's tables ({@link TableMaintenance}); one line per
 * table.
 */
public final class MaintenanceJob {
  private final SparkSession spark;
  private final JobSettings settings;
  private final Clock clock;

  public MaintenanceJob(SparkSession spark, JobSettings settings, Clock clock) {
    this.spark = spark;
    this.settings = settings;
    this.clock = clock;
  }

  /** The warehouse's path, then one line per table maintained. */
  public List<String> run() {
    DeltaTables tables = new DeltaTables(spark, settings.warehouse());
    List<String> report = new ArrayList<>();
    report.add("maintaining " + tables.warehouse());
    new TableMaintenance(spark, tables, settings.maintenance())
        .run(LocalDate.now(clock))
        .forEach(line -> report.add("  " + line));
    return report;
  }
}
