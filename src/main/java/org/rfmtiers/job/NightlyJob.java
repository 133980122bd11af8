package org.rfmtiers.job;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.ReturnsPolicy;
import org.rfmtiers.clv.BgNbd;
import org.rfmtiers.clv.ClvFitException;
import org.rfmtiers.clv.ClvInputs;
import org.rfmtiers.clv.ClvResult;
import org.rfmtiers.clv.CustomerLifetimeValue;
import org.rfmtiers.clv.GammaGamma;
import org.rfmtiers.clv.ModelFit;
import org.rfmtiers.incremental.IncrementalState;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.SnapshotLock;
import org.rfmtiers.output.Tables;
import org.rfmtiers.scoring.RfmScorer;
import org.rfmtiers.segments.SegmentSummary;
import org.rfmtiers.tiers.TierResult;
import org.rfmtiers.tiers.TierSummary;
import org.rfmtiers.tiers.ValueTiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly run, the one place that knows the whole flow: read, validate, RFM features, scores,
 * value tiers, summaries, then the Delta writes and the run_log row. Nothing is written before every
 * check has passed (reject rate, non-empty snapshot, reconciliation), and a failed run still appends a
 * run_log row with its reason.
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);
  /** Concurrent table writes: all of a snapshot's at once, to overlap their commit latency. */
  private static final int WRITERS = 8;
  private static final java.time.Duration PROGRESS_INTERVAL = java.time.Duration.ofSeconds(10);

  private final SparkSession spark;
  private final JobSettings settings;
  private final Clock clock;

  public NightlyJob(SparkSession spark, JobSettings settings, Clock clock) {
    this.spark = spark;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * Runs one snapshot.
   *
   * @param asOf the snapshot date; empty means the day after the latest valid transaction
   */
  public RunResult run(String inputUri, Optional<LocalDate> asOf) {
    return run(inputUri, asOf, false);
  }

  /**
   * Runs one snapshot; {@code incremental} reads only the files the incremental state has not folded in
   * yet (see {@link SnapshotInput.Loader#incremental}), and keeps that state for the next run.
   *
   * @param asOf the snapshot date; empty means the day after the latest valid transaction
   */
  public RunResult run(String inputUri, Optional<LocalDate> asOf, boolean incremental) {
    String runId = UUID.randomUUID().toString();
    RunLogEntry log = new RunLogEntry(runId, clock.instant());
    log.inputUri = inputUri;
    log.inputFormat = settings.input().format();
    log.returnsPolicy = settings.returnsPolicy().name().toLowerCase(java.util.Locale.ROOT);
    log.settings = settings.redacted();
    // local mode has no cluster UI to watch: long stages log their progress instead
    StageTimer timer = new StageTimer(runId, spark.sparkContext().isLocal()
        ? Optional.of(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()).statusTracker()) : Optional.empty(), PROGRESS_INTERVAL);
    DeltaTables tables = new DeltaTables(spark, settings.warehouse());
    List<Dataset<Row>> cached = new ArrayList<>();
    try {
      RunResult result = execute(inputUri, asOf, incremental, log, timer, tables, cached);
      tables.append(Tables.runLog(scale()), rowOf(log.toRow("succeeded", null, clock.instant(), timer.millis())));
      settings.catalogDatabase().ifPresent(database -> tables.register(database, Tables.ALL));
      return result;
    } catch (RuntimeException e) {
      recordFailure(tables, log, timer, e);
      throw e;
    } finally {
      timer.close();
      cached.forEach(Dataset::unpersist);
    }
  }

  private RunResult execute(String inputUri, Optional<LocalDate> asOf, boolean incremental, RunLogEntry log,
      StageTimer timer, DeltaTables tables, List<Dataset<Row>> cached) {
    ZoneId zone = ZoneId.of(settings.input().timeZone());
    spark.conf().set("spark.sql.session.timeZone", zone.getId());
    LocalDate today = LocalDate.now(clock.withZone(zone));
    // every incremental run updates the one state, whatever its snapshot: one at a time
    try (SnapshotLock stateLock = incremental ? SnapshotLock.acquireState(spark.sparkContext().hadoopConfiguration(),
        tables.warehouse(), log.runId, java.time.Duration.ofMinutes(settings.lockTimeoutMinutes())) : null) {
      SnapshotInput.Loader loader = new SnapshotInput.Loader(spark, settings, log, timer, cached, today,
          new IncrementalState(spark, tables, scale()));
      SnapshotInput input = incremental ? loader.incremental(inputUri, asOf) : loader.full(inputUri, asOf, Optional.empty());
      return publish(input, log, timer, tables, cached);
    } catch (SnapshotLock.HeldException e) {
      throw new JobFailure(e.getMessage());
    }
  }

  /** Scores, tiers, CLV and segments from the summed input, then the checks and the snapshot's writes. */
  private RunResult publish(SnapshotInput input, RunLogEntry log, StageTimer timer, DeltaTables tables,
      List<Dataset<Row>> cached) {
    LocalDate snapshot = input.snapshot();
    log.snapshotDate = snapshot;
    log.mode = input.mode();
    log.rowsAfterAsOf = input.counts().afterAsOf();
    BigDecimal validAmount = input.validAmount();
    Dataset<Row> features = timer.time("features",
        () -> SnapshotInput.features(settings, snapshot).features(input.aggregates()));
    long[] scoredCustomers = new long[1];
    RfmScorer.Scored scored = timer.time("scores", () -> {
      RfmScorer.Scored s = new RfmScorer(settings.scores()).apply(features);
      s.customers().persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(s.customers());
      scoredCustomers[0] = s.customers().count();
      return s;
    }, s -> scoredCustomers[0]);
    TierResult tiers = timer.time("tiers", () -> new ValueTiers(settings.tiers()).apply(scored.customers()),
        t -> scoredCustomers[0]);
    cached.add(tiers.cached());
    tiers.warnings().forEach(w -> LOG.warn("run_id={} warning=\"{}\"", log.runId, w));
    log.warnings.addAll(tiers.warnings());
    log.k = tiers.k();
    log.kSelection = tiers.kSelection();
    log.silhouette = tiers.silhouette();
    log.silhouetteByK = tiers.silhouetteByK();

    Optional<ClvResult> clv = settings.clv().enabled()
        ? Optional.of(timer.time("clv", () -> lifetimeValue(input.daySums().get(), snapshot, cached),
            c -> c.bgNbd().map(fit -> fit.customers()).orElse(0L)))
        : Optional.empty();
    clv.ifPresent(c -> {
      c.warnings().forEach(w -> LOG.warn("run_id={} warning=\"{}\"", log.runId, w));
      log.warnings.addAll(c.warnings());
    });

    Segmentation.Result segmented = timer.time("segments",
        () -> new Segmentation(settings.segments(),
            CustomerLifetimeValue.clvColumn(settings.clv().horizon()), tables).apply(tiers.customers(), clv, snapshot));
    Dataset<Row> customers = stamped(segmented.customers(), snapshot, log.runId);
    customers.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(customers);

    Dataset<Row> summary = timer.time("summary",
        () -> stamped(new TierSummary(tiers.centres()).apply(customers), snapshot, log.runId));
    List<Row> summaryRows = Tables.tierSummary(scale()).conform(summary).collectAsList(); // k rows
    Dataset<Row> segmentSummary = SegmentSummary.apply(customers);

    Row totals = customers.agg(count(lit(1)), sum(col(MONETARY))).head();
    long customerCount = totals.getLong(0);
    BigDecimal monetaryTotal = decimalOrZero(totals, 1);
    BigDecimal unattributed = unattributedAmount(input.aggregates());
    log.customers = customerCount;
    log.validAmount = validAmount;
    log.monetaryTotal = monetaryTotal;
    log.unattributedAmount = unattributed;
    log.reconciled = validAmount.compareTo(monetaryTotal.add(unattributed)) == 0;
    if (!log.reconciled) {
      throw new JobFailure("reconciliation failed: valid amount " + validAmount + " != monetary total "
          + monetaryTotal + " + unattributed " + unattributed + "; nothing was published");
    }

    timer.time("write", () -> {
      try (SnapshotLock lock = SnapshotLock.acquire(spark.sparkContext().hadoopConfiguration(), tables.warehouse(),
          snapshot, log.runId, java.time.Duration.ofMinutes(settings.lockTimeoutMinutes()))) {
        writeSnapshot(tables, snapshot, log.runId, input.rejected(), scored, summary, segmentSummary, segmented, customers, clv);
      } catch (SnapshotLock.HeldException | DeltaTables.SchemaChangeException e) {
        throw new JobFailure(e.getMessage());
      }
      return null;
    });
    // the snapshot is published: only now may the state say it holds this run's files
    input.stateCommit().ifPresent(commit -> timer.time("state-commit", () -> {
      commit.run();
      return null;
    }));
    RunResult.Counts counts = input.counts();
    return RunResult.of(log.runId, snapshot, tables.warehouse(), counts, customerCount, tiers, summaryRows,
        clv.map(NightlyJob::describe).orElse(null), List.copyOf(log.warnings), timer.millis(), log.mode);
  }

  /** The snapshot's table writes, one atomic Delta commit each, under the snapshot lock. */
  private void writeSnapshot(DeltaTables tables, LocalDate snapshot, String runId, Dataset<Row> rejected,
      RfmScorer.Scored scored, Dataset<Row> summary, Dataset<Row> segmentSummary, Segmentation.Result segmented,
      Dataset<Row> customers, Optional<ClvResult> clv) {
    for (var schema : List.of(Tables.rejectedTransactions(), Tables.scoreThresholds(), Tables.tierSummary(scale()),
        Tables.segmentSummary(scale()), Tables.tierMigration(), Tables.customerRfm(scale()),
        Tables.customerClv(settings.clv().horizon().label()), Tables.clvModel(), Tables.customerTiersCurrent(scale()))) {
      tables.checkSchema(schema); // every table before the first write: a type change writes nothing
    }
    // independent tables, one Delta commit each: written concurrently, since on small data a commit is
    // mostly driver-side latency (log listing, planning, JSON), not executor work; beside them, the
    // question customer_tiers_current needs afterwards (is there a later snapshot?)
    java.util.concurrent.atomic.AtomicBoolean later = new java.util.concurrent.atomic.AtomicBoolean();
    List<Runnable> writes = List.of(
        () -> tables.replaceSnapshot(Tables.rejectedTransactions(),
            stamped(rejected, snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.scoreThresholds(), stamped(scored.thresholds(), snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.tierSummary(scale()), summary, snapshot),
        () -> tables.replaceSnapshot(Tables.segmentSummary(scale()), stamped(segmentSummary, snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.tierMigration(), stamped(segmented.migration(), snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.customerRfm(scale()), customers, snapshot),
        () -> clv.ifPresent(c -> writeCustomerClv(tables, c, snapshot, runId)),
        () -> clv.filter(c -> c.customers().isPresent()).ifPresent(c -> writeClvModel(tables, c, snapshot, runId)),
        () -> later.set(hasLaterSnapshot(tables, snapshot)));
    inParallel(writes);
    // the latest snapshot, whichever run wrote it: re-running an old date does not make it "current"
    if (!later.get()) {
      tables.replaceAll(Tables.customerTiersCurrent(scale()), customers); // this snapshot is the latest
      return;
    }
    Dataset<Row> all = tables.read(Tables.CUSTOMER_RFM);
    Row latest = all.agg(max(col(SNAPSHOT_DATE))).head();
    tables.replaceAll(Tables.customerTiersCurrent(scale()),
        all.filter(col(SNAPSHOT_DATE).equalTo(lit(latest.getDate(0)))));
  }

  /**
   * Whether customer_rfm holds a snapshot after {@code snapshot}; asked while this run's own rows are
   * being written, which cannot change the answer.
   */
  private static boolean hasLaterSnapshot(DeltaTables tables, LocalDate snapshot) {
    return tables.exists(Tables.CUSTOMER_RFM) && !tables.read(Tables.CUSTOMER_RFM)
        .filter(col(SNAPSHOT_DATE).gt(lit(java.sql.Date.valueOf(snapshot)))).select(SNAPSHOT_DATE).limit(1).isEmpty();
  }

  /** The rows with the snapshot date and run id that every snapshot table carries. */
  private static Dataset<Row> stamped(Dataset<Row> rows, LocalDate snapshot, String runId) {
    return rows.withColumn(SNAPSHOT_DATE, lit(java.sql.Date.valueOf(snapshot))).withColumn(RUN_ID, lit(runId));
  }

  /**
   * Runs the writes on a few threads and waits for all of them; the first failure is rethrown (the
   * others finish first, so no write is left running behind the released snapshot lock).
   */
  private static void inParallel(List<Runnable> writes) {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(WRITERS);
    try {
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      writes.forEach(write -> futures.add(pool.submit(write)));
      RuntimeException failure = null;
      for (java.util.concurrent.Future<?> future : futures) {
        try {
          future.get();
        } catch (java.util.concurrent.ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
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

  /** Fits and predicts CLV; a fit that cannot be trusted fails the run before anything is written. */
  private ClvResult lifetimeValue(Dataset<Row> daySums, LocalDate snapshot, List<Dataset<Row>> cached) {
    Dataset<Row> inputs = new ClvInputs(snapshot, settings.returnsPolicy()).inputs(daySums);
    inputs.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(inputs);
    ClvResult result;
    try {
      result = new CustomerLifetimeValue(settings.clv()).apply(inputs);
    } catch (ClvFitException e) {
      throw new JobFailure(e.getMessage());
    }
    result.customers().ifPresent(c -> {
      c.persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(c);
      c.count();
    });
    return result;
  }

  private void writeCustomerClv(DeltaTables tables, ClvResult clv, LocalDate snapshot, String runId) {
    var customerClv = Tables.customerClv(settings.clv().horizon().label());
    if (clv.customers().isEmpty()) {
      // no CLV this run: a re-run must not leave an earlier run's CLV rows behind for this snapshot
      if (tables.exists(Tables.CUSTOMER_CLV)) {
        tables.replaceSnapshot(customerClv, tables.read(Tables.CUSTOMER_CLV).limit(0), snapshot);
      }
      return;
    }
    tables.replaceSnapshot(customerClv, stamped(clv.customers().get(), snapshot, runId), snapshot);
  }

  /** The fitted models' row (only when CLV was predicted). */
  private void writeClvModel(DeltaTables tables, ClvResult clv, LocalDate snapshot, String runId) {
    BgNbd bg = clv.bgNbd().get().model();
    GammaGamma gg = clv.gammaGamma().get().model();
    ModelFit<BgNbd> bgFit = clv.bgNbd().get();
    ModelFit<GammaGamma> ggFit = clv.gammaGamma().get();
    Row row = org.apache.spark.sql.RowFactory.create(java.sql.Date.valueOf(snapshot), runId,
        settings.clv().timeUnit().label(), settings.clv().horizon().label(), settings.clv().annualDiscountRate(),
        settings.clv().margin(), settings.clv().penalizer(), bg.r(), bg.alpha(), bg.a(), bg.b(),
        bgFit.logLikelihood(), bgFit.customers(), bgFit.groups(), bgFit.evaluations(), gg.p(), gg.q(), gg.gamma(),
        ggFit.logLikelihood(), ggFit.customers(), ggFit.evaluations(), clv.fitMillis());
    tables.replaceSnapshot(Tables.clvModel(), spark.createDataFrame(List.of(row), Tables.clvModel().schema()), snapshot);
  }

  private static String describe(ClvResult clv) {
    if (clv.bgNbd().isEmpty()) {
      return String.join("; ", clv.warnings());
    }
    BgNbd bg = clv.bgNbd().get().model();
    GammaGamma gg = clv.gammaGamma().get().model();
    return String.format(java.util.Locale.ROOT,
        "BG/NBD r=%.4g alpha=%.4g a=%.4g b=%.4g (LL %.1f); Gamma-Gamma p=%.4g q=%.4g gamma=%.4g (LL %.1f); fitted in %d ms",
        bg.r(), bg.alpha(), bg.a(), bg.b(), clv.bgNbd().get().logLikelihood(), gg.p(), gg.q(), gg.gamma(),
        clv.gammaGamma().get().logLikelihood(), clv.fitMillis());
  }

  /** Net policy: returns of customers with no purchase before the snapshot belong to no customer's monetary. */
  private BigDecimal unattributedAmount(Dataset<Row> aggregates) {
    if (settings.returnsPolicy() != ReturnsPolicy.NET) {
      return BigDecimal.ZERO.setScale(scale());
    }
    return decimalOrZero(aggregates.filter(col(FREQUENCY).equalTo(0)).agg(sum(col(MONETARY))).head(), 0);
  }

  private BigDecimal decimalOrZero(Row row, int index) {
    return (row.isNullAt(index) ? BigDecimal.ZERO : row.getDecimal(index)).setScale(scale());
  }

  private int scale() {
    return settings.input().amountScale();
  }

  private Dataset<Row> rowOf(Row row) {
    return spark.createDataFrame(List.of(row), Tables.runLog(scale()).schema());
  }

  private void recordFailure(DeltaTables tables, RunLogEntry log, StageTimer timer, RuntimeException cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage().lines().findFirst().orElse("");
    try {
      tables.append(Tables.runLog(scale()), rowOf(log.toRow("failed", reason, clock.instant(), timer.millis())));
    } catch (RuntimeException secondary) {
      LOG.error("run_id={} could not record the failed run in run_log: {}", log.runId, secondary.getMessage());
      cause.addSuppressed(secondary);
    }
  }
}
