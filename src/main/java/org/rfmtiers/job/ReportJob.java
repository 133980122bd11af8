package org.rfmtiers.job;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.ReportFiles;
import org.rfmtiers.output.Tables;
import org.rfmtiers.report.AnalystFigures;
import org.rfmtiers.report.FigureQueries;
import org.rfmtiers.report.ReportFigures;
import org.rfmtiers.report.ReportPage;
import org.rfmtiers.text.Texts;

/**
 * Writes the HTML report of one snapshot from what its tables hold, so the page shows exactly what
 * dashboards see: after a run from the rows it has just written ({@link
 * #write(NightlyJob.Published)}), and in {@code rfm-tiers report} from the tables, which can redraw
 * any earlier snapshot.
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
    return write(figures(snapshot));
  }

  /**
   * Writes the report of the snapshot a run has just published, from the rows it wrote ({@link
   * org.rfmtiers.output.SnapshotWriter#write}, still cached by the run) and its run_log row instead
   * of reading each table back: the same rows, without a Delta snapshot and file listing per table.
   * Only the tier and segment history across snapshots is read from the tables.
   */
  public String write(NightlyJob.Published published) {
    return write(figures(published));
  }

  private String write(ReportFigures figures) {
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
              TreeSet<LocalDate> dates = tables.snapshotDates(Tables.CUSTOMER_RFM);
              if (dates.isEmpty()) {
                throw new JobFailure(
                    "customer_rfm under " + tables.warehouse() + " has no snapshot yet");
              }
              return dates.last();
            });
    // the run that wrote the snapshot: its run_id is on every customer row
    List<Row> runIds =
        tables.readSnapshot(Tables.CUSTOMER_RFM, date).select(RUN_ID).limit(1).collectAsList();
    if (runIds.isEmpty()) {
      throw new JobFailure("customer_rfm under " + tables.warehouse() + " has no snapshot " + date);
    }
    String runId = runIds.get(0).getString(0);
    Row runLog = tables.readAll(Tables.RUN_LOG).filter(col(RUN_ID).equalTo(lit(runId))).head();
    Dataset<Row> customers = tables.readSnapshot(Tables.CUSTOMER_RFM, date).cache();
    try {
      return figures(
          date,
          runLog,
          table ->
              tables.exists(table)
                  ? Optional.of(tables.readSnapshot(table, date))
                  : Optional.empty(),
          customers,
          tables);
    } finally {
      customers.unpersist();
    }
  }

  /**
   * The figures of the snapshot a run has just published ({@link #write(NightlyJob.Published)}).
   */
  public ReportFigures figures(NightlyJob.Published published) {
    Map<String, Dataset<Row>> rows = published.tables();
    return figures(
        published.snapshot(),
        published.runLog(),
        table -> Optional.ofNullable(rows.get(table)),
        rows.get(Tables.CUSTOMER_RFM),
        new DeltaTables(spark, settings.warehouse()));
  }

  /**
   * @param snapshotRows a table's rows of the snapshot, empty when the table does not exist (a
   *     table added with a later version, or customer_clv of a run without CLV)
   * @param customers customer_rfm's rows of the snapshot (read many times: cached by the caller)
   * @param tables the warehouse, for the history of tier_summary and segment_summary
   */
  private ReportFigures figures(
      LocalDate date,
      Row runLog,
      Function<String, Optional<Dataset<Row>>> snapshotRows,
      Dataset<Row> customers,
      DeltaTables tables) {
    Optional<Dataset<Row>> customerClv =
        snapshotRows.apply(Tables.CUSTOMER_CLV).filter(c -> !c.isEmpty());
    Optional<Row> clvModel =
        customerClv.isPresent()
            ? snapshotRows
                .apply(Tables.CLV_MODEL)
                .flatMap(m -> m.collectAsList().stream().findFirst()) // one row
            : Optional.empty();
    try (FigureQueries queries = new FigureQueries()) {
      Supplier<AnalystFigures> analyst =
          AnalystFigures.submit(
              new AnalystFigures.Sources(
                  date,
                  customers,
                  tables.readAll(Tables.TIER_SUMMARY),
                  Optional.of(tables.readAll(Tables.SEGMENT_SUMMARY)),
                  snapshotRows.apply(Tables.CHURN_WATCH),
                  snapshotRows.apply(Tables.CHURN_SUMMARY),
                  snapshotRows.apply(Tables.COHORT_RETENTION)),
              Math.max(settings.report().topCustomers(), 10),
              queries);
      return ReportFigures.of(
          new ReportFigures.Snapshot(
              date,
              runLog,
              customers,
              snapshotRows.apply(Tables.TIER_SUMMARY).orElseThrow(),
              snapshotRows.apply(Tables.SEGMENT_SUMMARY).orElseThrow(),
              snapshotRows.apply(Tables.TIER_MIGRATION).orElseThrow(),
              snapshotRows.apply(Tables.REJECTED_TRANSACTIONS).orElseThrow(),
              customerClv,
              clvModel),
          settings.report().topCustomers(),
          analyst,
          queries);
    }
  }
}
