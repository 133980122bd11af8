package org.rfmtiers.job;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.ReportFiles;
import org.rfmtiers.output.Tables;
import org.rfmtiers.report.AnalystFigures;
import org.rfmtiers.report.ReportFigures;
import org.rfmtiers.report.ReportPage;
import org.rfmtiers.text.Texts;

/**
 * Writes the HTML report of one snapshot from the tables the run wrote, so the page shows exactly
 * what dashboards see, and {@code rfm-tiers report} can redraw any earlier snapshot.
 */
public final class ReportJob {
  private final SparkSession spark;
  private final JobSettings settings;

  public ReportJob(SparkSession spark, JobSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  /**
   * Writes {@code <report.dir>/<snapshot>/index.html} and returns its location.
   *
   * @param snapshot the snapshot; empty means the latest one in customer_rfm
   */
  public String write(Optional<LocalDate> snapshot) {
    ReportFigures figures = figures(snapshot);
    return ReportFiles.write(
        spark.sparkContext().hadoopConfiguration(),
        settings.reportDir(),
        figures.snapshot(),
        ReportPage.render(figures, Texts.of(settings.segments().language())));
  }

  /**
   * Everything the page of a snapshot shows, read from its tables.
   *
   * @param snapshot the snapshot; empty means the latest one in customer_rfm
   */
  public ReportFigures figures(Optional<LocalDate> snapshot) {
    DeltaTables tables = new DeltaTables(spark, settings.warehouse());
    // every successful run writes these (possibly with no rows for the snapshot)
    for (String table :
        List.of(
            Tables.CUSTOMER_RFM,
            Tables.RUN_LOG,
            Tables.TIER_SUMMARY,
            Tables.SEGMENT_SUMMARY,
            Tables.TIER_MIGRATION,
            Tables.REJECTED_TRANSACTIONS)) {
      if (!tables.exists(table)) {
        throw new JobFailure(
            "no "
                + table
                + " table under "
                + tables.warehouse()
                + ": run the job first (rfm-tiers run), or give the --warehouse it wrote to");
      }
    }
    LocalDate date =
        snapshot.orElseGet(
            () -> {
              Row latest = tables.read(Tables.CUSTOMER_RFM).agg(max(col(SNAPSHOT_DATE))).head();
              if (latest.isNullAt(0)) {
                throw new JobFailure(
                    "customer_rfm under " + tables.warehouse() + " has no snapshot yet");
              }
              return latest.getDate(0).toLocalDate();
            });
    Column onDate = col(SNAPSHOT_DATE).equalTo(lit(Date.valueOf(date)));
    // the run that wrote the snapshot: its run_id is on every customer row
    List<Row> runIds =
        tables.read(Tables.CUSTOMER_RFM).filter(onDate).select(RUN_ID).limit(1).collectAsList();
    if (runIds.isEmpty()) {
      throw new JobFailure("customer_rfm under " + tables.warehouse() + " has no snapshot " + date);
    }
    String runId = runIds.get(0).getString(0);
    Row runLog = tables.read(Tables.RUN_LOG).filter(col(RUN_ID).equalTo(lit(runId))).head();
    Optional<Dataset<Row>> customerClv =
        tables.exists(Tables.CUSTOMER_CLV)
            ? Optional.of(snapshotOf(tables, Tables.CUSTOMER_CLV, onDate)).filter(c -> !c.isEmpty())
            : Optional.empty();
    Optional<Row> clvModel =
        customerClv.isPresent() && tables.exists(Tables.CLV_MODEL)
            ? snapshotOf(tables, Tables.CLV_MODEL, onDate).collectAsList().stream()
                .findFirst() // one row
            : Optional.empty();
    Dataset<Row> customers = snapshotOf(tables, Tables.CUSTOMER_RFM, onDate).cache();
    try {
      return ReportFigures.of(
          new ReportFigures.Snapshot(
              date,
              runLog,
              customers,
              snapshotOf(tables, Tables.TIER_SUMMARY, onDate),
              snapshotOf(tables, Tables.SEGMENT_SUMMARY, onDate),
              snapshotOf(tables, Tables.TIER_MIGRATION, onDate),
              snapshotOf(tables, Tables.REJECTED_TRANSACTIONS, onDate),
              customerClv,
              clvModel),
          settings.report().topCustomers(),
          AnalystFigures.of(
              new AnalystFigures.Sources(
                  date,
                  customers,
                  tables.read(Tables.TIER_SUMMARY),
                  Optional.of(tables.read(Tables.SEGMENT_SUMMARY)),
                  optionalSnapshot(tables, Tables.CHURN_WATCH, onDate),
                  optionalSnapshot(tables, Tables.CHURN_SUMMARY, onDate),
                  optionalSnapshot(tables, Tables.COHORT_RETENTION, onDate)),
              Math.max(settings.report().topCustomers(), 10)));
    } finally {
      customers.unpersist();
    }
  }

  /** A table added with the churn watch and cohorts: absent in warehouses written before. */
  private static Optional<Dataset<Row>> optionalSnapshot(
      DeltaTables tables, String table, Column onDate) {
    return tables.exists(table) ? Optional.of(snapshotOf(tables, table, onDate)) : Optional.empty();
  }

  private static Dataset<Row> snapshotOf(DeltaTables tables, String table, Column onDate) {
    return tables.read(table).filter(onDate);
  }
}
