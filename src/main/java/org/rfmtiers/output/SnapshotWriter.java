package org.rfmtiers.output;

import static org.apache.spark.sql.functions.lit;
import static org.rfmtiers.Columns.RUN_ID;
import static org.rfmtiers.Columns.SNAPSHOT_DATE;

import java.sql.Date;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.clv.BgNbd;
import org.rfmtiers.clv.ClvResult;
import org.rfmtiers.clv.GammaGamma;
import org.rfmtiers.clv.ModelFit;
import org.rfmtiers.config.ClvSettings;
import org.rfmtiers.tiers.TierModel;

/**
 * The write phase of a run: every table of one snapshot, under the snapshot's lock, after a schema
 * check of every table (a type change writes nothing at all). Each table is one atomic Delta commit
 * replacing exactly this snapshot; they are independent, so they are written concurrently (on small
 * data a commit is mostly driver-side latency: log listing, planning, JSON). customer_tiers_current
 * is replaced beside them, from this run's customers unless a later snapshot exists.
 */
public final class SnapshotWriter {
  /** Concurrent table writes: all of a snapshot's at once, to overlap their commit latency. */
  private static final int WRITERS = 13;

  private final SparkSession spark;
  private final DeltaTables tables;
  private final ClvSettings clvSettings;
  private final int scale;
  private final Duration lockTimeout;

  public SnapshotWriter(
      SparkSession spark,
      DeltaTables tables,
      ClvSettings clvSettings,
      int scale,
      Duration lockTimeout) {
    this.spark = spark;
    this.tables = tables;
    this.clvSettings = clvSettings;
    this.scale = scale;
    this.lockTimeout = lockTimeout;
  }

  /** What one snapshot writes; the writer adds snapshot_date and run_id to every row. */
  public record Snapshot(
      LocalDate date,
      String runId,
      Dataset<Row> rejected,
      Dataset<Row> scoreThresholds,
      Dataset<Row> tierSummary,
      Dataset<Row> segmentSummary,
      Dataset<Row> tierMigration,
      Dataset<Row> customers,
      Dataset<Row> churnWatch,
      Dataset<Row> churnSummary,
      Dataset<Row> cohortRetention,
      Optional<ClvResult> clv,
      Optional<TierModel> trainedTierModel) {}

  /**
   * Writes the snapshot and returns the rows each table received, by table name ({@link
   * #published}).
   *
   * @throws SnapshotLock.HeldException another live run is writing the same snapshot
   * @throws DeltaTables.SchemaChangeException a table's column has another type than this job
   *     writes
   */
  public Map<String, Dataset<Row>> write(Snapshot s) {
    try (SnapshotLock lock =
        SnapshotLock.acquire(
            spark.sparkContext().hadoopConfiguration(),
            tables.warehouse(),
            s.date(),
            s.runId(),
            lockTimeout)) {
      checkSchemas();
      Map<String, Dataset<Row>> rows = published(s);
      writeLocked(s, rows);
      return rows;
    }
  }

  /** Every table's schema, checked concurrently: each check is a Delta log read on the driver. */
  private void checkSchemas() {
    List<Runnable> checks = new ArrayList<>();
    List<TableSchema> all = new ArrayList<>(snapshotTables());
    all.add(Tables.customerTiersCurrent(scale));
    all.add(Tables.tierModel(scale));
    for (TableSchema schema : all) {
      checks.add(() -> tables.checkSchema(schema));
    }
    inParallel(checks);
  }

  /**
   * The rows each table receives for this snapshot, stamped with its date and run id, by table
   * name: what {@link #write} commits, and what the run's report reads instead of reading the
   * tables back. customer_clv and clv_model are absent when the run predicted no CLV.
   */
  private Map<String, Dataset<Row>> published(Snapshot s) {
    Map<String, Dataset<Row>> rows = new LinkedHashMap<>();
    BiConsumer<TableSchema, Dataset<Row>> put =
        (table, data) -> rows.put(table.name(), table.conform(stamped(data, s)));
    put.accept(Tables.rejectedTransactions(), s.rejected());
    put.accept(Tables.scoreThresholds(), oneFile(s.scoreThresholds()));
    put.accept(Tables.tierSummary(scale), oneFile(s.tierSummary()));
    put.accept(Tables.segmentSummary(scale), oneFile(s.segmentSummary()));
    put.accept(Tables.tierMigration(), oneFile(s.tierMigration()));
    put.accept(Tables.customerRfm(scale), s.customers());
    put.accept(Tables.churnWatch(scale), s.churnWatch());
    put.accept(Tables.churnSummary(scale), oneFile(s.churnSummary()));
    put.accept(Tables.cohortRetention(scale), oneFile(s.cohortRetention()));
    s.clv()
        .flatMap(ClvResult::customers)
        .ifPresent(
            customers -> {
              put.accept(Tables.customerClv(clvSettings.horizon().label(), scale), customers);
              rows.put(
                  Tables.CLV_MODEL,
                  spark.createDataFrame(
                      List.of(clvModelRow(s.clv().get(), s)), Tables.clvModel().schema()));
            });
    return rows;
  }

  private void writeLocked(Snapshot s, Map<String, Dataset<Row>> rows) {
    List<Runnable> writes = new ArrayList<>();
    for (TableSchema table : snapshotTables()) {
      Dataset<Row> tonight = rows.get(table.name());
      if (tonight != null) {
        writes.add(() -> tables.replaceSnapshot(table, tonight, s.date()));
      }
    }
    // no CLV this run: a re-run must not leave an earlier run's CLV rows behind for this snapshot
    if (s.clv().isPresent()
        && !rows.containsKey(Tables.CUSTOMER_CLV)
        && tables.exists(Tables.CUSTOMER_CLV)) {
      writes.add(
          () ->
              tables.replaceSnapshot(
                  Tables.customerClv(clvSettings.horizon().label(), scale),
                  tables.read(Tables.CUSTOMER_CLV).limit(0),
                  s.date()));
    }
    // the latest snapshot, whichever run wrote it: re-running an old date does not make it
    // "current". Beside the other writes: whether customer_rfm has a later snapshot does not
    // depend on this run's rows being committed yet.
    writes.add(() -> replaceCurrent(rows.get(Tables.CUSTOMER_RFM), s.date()));
    // a model trained tonight, beside the tables that name it (its own files and row)
    s.trainedTierModel()
        .ifPresent(
            model ->
                writes.add(
                    () -> new TierModelStore(spark, tables, scale).record(model, Instant.now())));
    inParallel(writes);
  }

  /**
   * customer_tiers_current: this run's customers, unless customer_rfm holds a later snapshot (an
   * earlier date re-run), whose customers it then keeps.
   */
  private void replaceCurrent(Dataset<Row> customers, LocalDate snapshot) {
    // asked while this run's own rows are being written, which cannot add a later date
    TreeSet<LocalDate> dates = tables.snapshotDates(Tables.CUSTOMER_RFM);
    if (dates.higher(snapshot) == null) {
      tables.replaceAll(Tables.customerTiersCurrent(scale), customers);
      return;
    }
    tables.replaceAll(
        Tables.customerTiersCurrent(scale), tables.readSnapshot(Tables.CUSTOMER_RFM, dates.last()));
  }

  /** The tables a snapshot replaces its partition of, in the order they are written. */
  private List<TableSchema> snapshotTables() {
    return List.of(
        Tables.rejectedTransactions(),
        Tables.scoreThresholds(),
        Tables.tierSummary(scale),
        Tables.segmentSummary(scale),
        Tables.tierMigration(),
        Tables.customerRfm(scale),
        Tables.churnWatch(scale),
        Tables.churnSummary(scale),
        Tables.cohortRetention(scale),
        Tables.customerClv(clvSettings.horizon().label(), scale),
        Tables.clvModel());
  }

  /**
   * A table whose size does not grow with the customers or lines (its rows are bounded by tiers,
   * segments, scores and months) in one file a snapshot instead of one per shuffle partition: at
   * 25,000 customers cohort_retention's 666 rows were 14 files a night, score_thresholds' 15 rows
   * 3. Fewer write tasks tonight, fewer files for every later Delta log replay and reader.
   */
  private static Dataset<Row> oneFile(Dataset<Row> rows) {
    return rows.coalesce(1);
  }

  /** The fitted models' row of clv_model (only when CLV was predicted). */
  private Row clvModelRow(ClvResult clv, Snapshot s) {
    ModelFit<BgNbd> bgFit = clv.bgNbd().get();
    ModelFit<GammaGamma> ggFit = clv.gammaGamma().get();
    BgNbd bg = bgFit.model();
    GammaGamma gg = ggFit.model();
    return RowFactory.create(
        Date.valueOf(s.date()),
        s.runId(),
        clvSettings.timeUnit().label(),
        clvSettings.horizon().label(),
        clvSettings.annualDiscountRate(),
        clvSettings.margin(),
        clvSettings.penalizer(),
        bg.r(),
        bg.alpha(),
        bg.a(),
        bg.b(),
        bgFit.logLikelihood(),
        bgFit.customers(),
        bgFit.groups(),
        bgFit.evaluations(),
        gg.p(),
        gg.q(),
        gg.gamma(),
        ggFit.logLikelihood(),
        ggFit.customers(),
        ggFit.evaluations(),
        clv.fitMillis());
  }

  /** The rows with the snapshot date and run id that every snapshot table carries. */
  private static Dataset<Row> stamped(Dataset<Row> rows, Snapshot s) {
    return rows.withColumn(SNAPSHOT_DATE, lit(Date.valueOf(s.date())))
        .withColumn(RUN_ID, lit(s.runId()));
  }

  /**
   * Runs the writes on a few threads and waits for all of them; the first failure is rethrown (the
   * others finish first, so no write is left running behind the released snapshot lock).
   */
  private static void inParallel(List<Runnable> writes) {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      writes.forEach(write -> futures.add(pool.submit(write)));
      RuntimeException failure = null;
      for (Future<?> future : futures) {
        try {
          future.get();
        } catch (ExecutionException e) {
          RuntimeException cause =
              e.getCause() instanceof RuntimeException r
                  ? r
                  : new IllegalStateException(e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while writing the snapshot", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      pool.shutdown();
    }
  }
}
