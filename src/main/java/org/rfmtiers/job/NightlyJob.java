package org.rfmtiers.job;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.sql.Date;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.RunCache;
import org.rfmtiers.clv.ClvFitException;
import org.rfmtiers.clv.ClvInputs;
import org.rfmtiers.clv.ClvResult;
import org.rfmtiers.clv.CustomerLifetimeValue;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.ReturnsPolicy;
import org.rfmtiers.config.SegmentSettings;
import org.rfmtiers.features.CustomerMonths;
import org.rfmtiers.features.CustomerSums;
import org.rfmtiers.features.RfmFeatures;
import org.rfmtiers.incremental.IncrementalState;
import org.rfmtiers.incremental.IncrementalSums;
import org.rfmtiers.ingest.InputException;
import org.rfmtiers.ingest.RawTransactions;
import org.rfmtiers.ingest.TransactionSource;
import org.rfmtiers.ingest.TransactionSource.InputFile;
import org.rfmtiers.ingest.ValidatedLines;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.SnapshotLock;
import org.rfmtiers.output.SnapshotWriter;
import org.rfmtiers.output.Tables;
import org.rfmtiers.output.TierModelStore;
import org.rfmtiers.scoring.RfmScorer;
import org.rfmtiers.segments.ChurnWatch;
import org.rfmtiers.segments.CohortRetention;
import org.rfmtiers.segments.SegmentSummary;
import org.rfmtiers.tiers.TierResult;
import org.rfmtiers.tiers.TierSummary;
import org.rfmtiers.tiers.ValueTiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly run, top to bottom: list → read → validate → sum (full, or incremental on the kept
 * state) → features → scores → tiers → CLV → segments → summaries → reconcile → write → commit the
 * state. Each stage is one call, timed and named in Spark ({@link StageTimer}). Nothing is written
 * before every check has passed (reject rate, non-empty snapshot, reconciliation), and a failed run
 * still appends its run_log row with the reason.
 */
public final class NightlyJob {
  /** The tables a run writes for BI users (the incremental state's aside). */
  public static final List<String> TABLES = Tables.ALL;

  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);

  private final SparkSession spark;
  private final JobSettings settings;
  private final Clock clock;

  public NightlyJob(SparkSession spark, JobSettings settings, Clock clock) {
    this.spark = spark;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * What one run does: the input, the snapshot date (empty: the day after the latest valid
   * transaction), whether it reads only the files the incremental state has not folded in yet
   * ({@link IncrementalSums}) and keeps that state, and whether it trains the value-tier model
   * again instead of reusing the kept one ({@link ValueTiers}).
   */
  public record RunOptions(
      String inputUri, Optional<LocalDate> asOf, boolean incremental, boolean retrain) {
    /** A full run of {@code inputUri} as of {@code asOf}, reusing the kept tier model. */
    public static RunOptions of(String inputUri, Optional<LocalDate> asOf) {
      return new RunOptions(inputUri, asOf, false, false);
    }

    public RunOptions withIncremental(boolean value) {
      return new RunOptions(inputUri, asOf, value, retrain);
    }

    public RunOptions withRetrain(boolean value) {
      return new RunOptions(inputUri, asOf, incremental, value);
    }
  }

  /** Runs one snapshot. */
  public RunResult run(RunOptions options) {
    return run(options, published -> {});
  }

  /**
   * Runs one snapshot and hands what it published to {@code afterPublish} (the report: {@link
   * ReportJob#write(Published)}), once the run has succeeded and while its cached results are still
   * held. The run is complete by then: {@code afterPublish} handles its own failures.
   */
  public RunResult run(RunOptions options, Consumer<Published> afterPublish) {
    ZoneId zone = ZoneId.of(settings.input().timeZone());
    spark.conf().set("spark.sql.session.timeZone", zone.getId());
    try (Run run =
        new Run(
            UUID.randomUUID().toString(),
            options.inputUri(),
            LocalDate.now(clock.withZone(zone)),
            options.retrain())) {
      RunResult result = run.execute(options.asOf(), options.incremental());
      afterPublish.accept(run.published());
      return result;
    }
  }

  /**
   * A succeeded run's snapshot: its date, its run_log row, and the rows each table received by
   * table name ({@link SnapshotWriter#write}), valid until the run returns.
   */
  public record Published(LocalDate snapshot, Row runLog, Map<String, Dataset<Row>> tables) {}

  /** One run's stages and what they share: its id, timer, tables, cache and record. */
  private final class Run implements AutoCloseable {
    private final String runId;
    private final String inputUri;
    private final LocalDate today;
    private final boolean retrain;
    private final RunRecord record;
    private final StageTimer timer;
    private final DeltaTables tables;
    private final TransactionSource source;
    private final IncrementalState state;
    private final IncrementalSums incrementalSums;
    private final RunCache cache = new RunCache();

    /** The rows each table received ({@link SnapshotWriter#write}), once written. */
    private Map<String, Dataset<Row>> written = Map.of();

    /** What the run published, once it has succeeded. */
    private Published published;

    Run(String runId, String inputUri, LocalDate today, boolean retrain) {
      this.runId = runId;
      this.inputUri = inputUri;
      this.today = today;
      this.retrain = retrain;
      this.record = new RunRecord(runId, clock.instant(), inputUri, settings);
      this.timer = new StageTimer(runId, spark.sparkContext(), PROGRESS_INTERVAL);
      this.tables = new DeltaTables(spark, settings.warehouse());
      this.source = new TransactionSource(spark, settings.input());
      this.state = new IncrementalState(spark, tables, scale());
      this.incrementalSums = new IncrementalSums(spark, settings, state, cache);
    }

    RunResult execute(Optional<LocalDate> asOf, boolean incremental) {
      try {
        RunResult result =
            incremental ? incrementalNight(asOf) : publish(full(list(), asOf, false));
        Dataset<Row> runLog = runLogRow("succeeded", null);
        tables.append(Tables.runLog(scale()), runLog);
        // the row as the table holds it (typed by its schema), for the report
        published = new Published(result.snapshotDate(), runLog.head(), written);
        settings.catalogDatabase().ifPresent(database -> tables.register(database, Tables.ALL));
        return result;
      } catch (RuntimeException e) {
        recordFailure(e);
        throw e;
      }
    }

    /** Every incremental run updates the one state, whatever its snapshot: one at a time. */
    private RunResult incrementalNight(Optional<LocalDate> asOf) {
      try (SnapshotLock stateLock =
          SnapshotLock.acquireState(
              spark.sparkContext().hadoopConfiguration(),
              tables.warehouse(),
              runId,
              lockTimeout())) {
        return publish(incrementalSums(list(), asOf));
      } catch (SnapshotLock.HeldException e) {
        throw new JobFailure(e.getMessage(), e);
      }
    }

    /** The input's data files, listed once: the run reads exactly these. */
    private List<InputFile> list() {
      return timer.time(
          "list", () -> source.isFileInput() ? source.list(inputUri) : List.of(), List::size);
    }

    private RawTransactions read(List<InputFile> files) {
      RawTransactions raw =
          timer.time(
              "read",
              () ->
                  source.isFileInput()
                      ? source.readFiles(files.stream().map(InputFile::path).toList())
                      : source.read(inputUri));
      record.read(raw.files());
      if (!raw.ignoredColumns().isEmpty()) {
        String warning =
            "input columns not mapped by input.columns.* and ignored: " + raw.ignoredColumns();
        LOG.info("run_id={} {}", runId, warning);
        record.warn(List.of(warning));
      }
      return raw;
    }

    /**
     * Validated lines, cached; fails the run on an input without rows or a reject rate above the
     * limit.
     */
    private ValidatedLines validate(RawTransactions raw, boolean keepSourceFile) {
      Dataset<Row> packed =
          persist(
              ValidatedLines.pack(
                  settings.input(), settings.validation(), raw, today, keepSourceFile));
      ValidatedLines lines =
          timer.time("validate", () -> ValidatedLines.of(packed), ValidatedLines::read);
      record.validated(lines);
      if (lines.read() == 0) {
        throw new InputException("input " + inputUri + " has no rows (files: " + raw.files() + ")");
      }
      lines
          .rejectRateExceeded(settings.validation().maxRejectRate())
          .ifPresent(
              why -> {
                throw new JobFailure(why);
              });
      return lines;
    }

    /**
     * A full run: every file read, validated and summed per customer. With {@code keepLines} the
     * validated lines stay cached for the state rebuild; otherwise only the rejected ones are kept
     * once the lines are summed, so scores, tiers and CLV have the memory (50 M lines: about 2 GB).
     */
    private Summed full(List<InputFile> listing, Optional<LocalDate> asOf, boolean keepLines) {
      ValidatedLines lines = validate(read(listing), keepLines);
      LocalDate latest =
          lines
              .latest()
              .orElseThrow(() -> new JobFailure("input " + inputUri + " has no valid rows"));
      LocalDate snapshot = asOf.orElse(latest.plusDays(1));
      CustomerSums sums = timer.time("sum", () -> fullSums(lines, snapshot), s -> lines.valid());
      Dataset<Row> months =
          persist(
              compact(CustomerMonths.of(lines.validRows(), snapshot, settings.returnsPolicy())));
      timer.time("months", months::count);
      Dataset<Row> rejected = lines.rejectedRows();
      if (!keepLines) {
        rejected = persist(compact(rejected));
        rejected.count();
        lines.rows().unpersist();
      }
      return new Summed(snapshot, lines, rejected, sums, months, "full", Optional.empty());
    }

    private CustomerSums fullSums(ValidatedLines lines, LocalDate snapshot) {
      Dataset<Row> valid = lines.validRows();
      Column before = col(ORDER_DATE).lt(lit(Date.valueOf(snapshot)));
      Row window =
          valid
              .agg(
                  count(when(not(before), lit(1))),
                  sum(when(before, settings.returnsPolicy().countedAmount())),
                  sum(
                      when(
                          before.and(col(CUSTOMER_ID).isNull()),
                          settings.returnsPolicy().countedAmount())))
              .head();
      long afterAsOf = window.getLong(0);
      if (afterAsOf == lines.valid()) {
        throw new JobFailure(
            "no valid transaction is dated before the snapshot date "
                + snapshot
                + " (--as-of); the earliest transactions are later");
      }
      Dataset<Row> aggregates =
          persist(compact(RfmFeatures.of(settings, snapshot).aggregate(valid.filter(before))));
      aggregates.count();
      return new CustomerSums(
          aggregates, decimalOrZero(window, 1), decimalOrZero(window, 2), afterAsOf);
    }

    /**
     * An incremental night: the files the committed state has not folded in are read, validated and
     * folded. When the state cannot serve the night (none yet, other settings, a file changed or
     * gone, an earlier snapshot), this is a full run that rebuilds the state.
     */
    private Summed incrementalSums(List<InputFile> listing, Optional<LocalDate> asOf) {
      Optional<IncrementalState.Commit> base = state.last();
      Optional<String> unusable =
          IncrementalSums.unusable(settings, source.isFileInput(), base, listing, asOf);
      if (unusable.isPresent()) {
        return rebuild(listing, asOf, unusable.get());
      }
      IncrementalState.Commit commit = base.get();
      List<InputFile> added = IncrementalSums.added(commit, listing);
      ValidatedLines lines = added.isEmpty() ? none() : validate(read(added), true);
      LocalDate snapshot = asOf.orElse(IncrementalSums.latestOrderDate(commit, lines).plusDays(1));
      Optional<String> beforeState = IncrementalSums.beforeState(snapshot, commit);
      if (beforeState.isPresent()) {
        return rebuild(listing, asOf, beforeState.get());
      }
      IncrementalSums.Night night =
          timer.time("fold", () -> incrementalSums.fold(commit, added, lines, snapshot, runId));
      return new Summed(
          snapshot,
          lines,
          lines.rejectedRows(),
          night.sums(),
          night.months(),
          night.mode(),
          Optional.of(night.commit()));
    }

    /** No new file: no line, recorded as such. */
    private ValidatedLines none() {
      ValidatedLines lines = ValidatedLines.none(spark);
      record.validated(lines);
      return lines;
    }

    private Summed rebuild(List<InputFile> listing, Optional<LocalDate> asOf, String reason) {
      LOG.info("run_id={} incremental state not usable: {}; running in full", runId, reason);
      Summed full = full(listing, asOf, true);
      Runnable commit =
          incrementalSums.rebuild(full.lines(), full.sums(), listing, full.snapshot(), runId);
      return new Summed(
          full.snapshot(),
          full.lines(),
          full.rejected(),
          full.sums(),
          full.months(),
          "full; incremental state rebuilt: " + reason,
          Optional.of(
              () -> {
                LOG.info("run_id={} event=state-rebuild reason=\"{}\"", runId, reason);
                commit.run();
              }));
    }

    /**
     * Features, scores, tiers, CLV and segments from the sums, then the checks and the snapshot's
     * writes.
     */
    private RunResult publish(Summed in) {
      LocalDate snapshot = in.snapshot();
      record.summed(snapshot, in.sums(), in.mode());
      Dataset<Row> features =
          timer.time(
              "features",
              () -> RfmFeatures.of(settings, snapshot).features(in.sums().aggregates()));
      RfmScorer.Scored scored = timer.time("scores", () -> score(features));
      Optional<ClvResult> clv =
          settings.clv().enabled()
              ? Optional.of(
                  timer.time(
                      "clv",
                      () -> lifetimeValue(in.sums().purchasers(), snapshot),
                      c -> c.bgNbd().map(fit -> fit.customers()).orElse(0L)))
              : Optional.empty();
      clv.ifPresent(c -> warn(c.warnings()));
      TierResult tiers = timer.time("tiers", () -> tiers(scored.customers(), clv, snapshot));
      cache.hold(tiers.cached());
      warn(tiers.warnings());
      record.tiered(tiers);
      Segmentation.Result segmented =
          timer.time(
              "segments",
              () ->
                  new Segmentation(
                          settings.segments(),
                          CustomerLifetimeValue.clvColumn(settings.clv().horizon()),
                          tables)
                      .apply(
                          tiers.customers(), clv, in.months(), snapshot, tiers.model().modelId()));
      cache.hold(segmented.cached());
      Dataset<Row> customers = persist(segmented.customers());
      ChurnWatch.Result churn =
          timer.time(
              "churn",
              () ->
                  new ChurnWatch(settings.churn(), settings.segments().language(), scale())
                      .apply(customers, segmented.hasPrevious()));
      Dataset<Row> cohorts =
          timer.time(
              "cohorts",
              () ->
                  persist(
                      new CohortRetention(scale())
                          .apply(
                              in.months(),
                              customers.select(CUSTOMER_ID, FIRST_PURCHASE_DATE),
                              snapshot,
                              clv.flatMap(ClvResult::bgNbd)
                                  .map(
                                      fit ->
                                          new CohortRetention.Expectation(
                                              fit.model(), settings.clv().timeUnit().days())))),
              Dataset::count);
      Summaries summaries = timer.time("summary", () -> summaries(customers, tiers));
      Reconciliation reconciliation =
          timer.time("reconcile", () -> reconcile(in.sums(), customers));
      record.reconciled(reconciliation);
      if (!reconciliation.reconciled()) {
        throw new JobFailure(reconciliation.failure());
      }
      timer.time(
          "write",
          () ->
              write(
                  new SnapshotWriter.Snapshot(
                      snapshot,
                      runId,
                      in.rejected(),
                      scored.thresholds(),
                      summaries.tiers(),
                      summaries.segments(),
                      segmented.migration(),
                      customers,
                      churn.watch(),
                      churn.summary(),
                      cohorts,
                      clv,
                      tiers.trained() ? Optional.of(tiers.model()) : Optional.empty())));
      // the snapshot is published: only now may the state say it holds this run's files
      in.stateCommit()
          .ifPresent(
              commit ->
                  timer.time(
                      "state-commit",
                      () -> {
                        commit.run();
                        return null;
                      }));
      return record.result(
          tables.warehouse(),
          summaries.tierRows(),
          clv.map(ClvResult::describe).orElse(null),
          timer.millis(),
          costs());
    }

    /**
     * The tier summary, collected (k rows) and written from the rows collected rather than
     * aggregated over the customers a second time, and the segment summary.
     */
    private Summaries summaries(Dataset<Row> customers, TierResult tiers) {
      Dataset<Row> tierSummary =
          new TierSummary(tiers.centres(), tiers.model().modelId(), scale()).apply(customers);
      List<Row> tierRows = tierSummary.collectAsList();
      return new Summaries(
          tierRows,
          spark.createDataFrame(tierRows, tierSummary.schema()),
          SegmentSummary.apply(customers));
    }

    /**
     * Value tiers by the kept tier model, or a model trained tonight (ranked by this night's CLV
     * when it has one).
     */
    private TierResult tiers(Dataset<Row> customers, Optional<ClvResult> clv, LocalDate snapshot) {
      String clvColumn = CustomerLifetimeValue.clvColumn(settings.clv().horizon());
      ValueTiers.Night night =
          new ValueTiers.Night(
              snapshot,
              runId,
              new TierModelStore(spark, tables, scale()).latest(),
              retrain,
              clv.flatMap(ClvResult::customers).map(c -> c.select(CUSTOMER_ID, clvColumn)));
      SegmentSettings segments = settings.segments();
      return new ValueTiers(
              settings.tiers(),
              code -> segments.label(SegmentSettings.TIER_SCHEME, code).name(segments.language()))
          .apply(customers, night);
    }

    /**
     * Scores every customer; the scored customers are cached (tiers, CLV and segments read them).
     */
    private RfmScorer.Scored score(Dataset<Row> features) {
      RfmScorer.Scored scored = new RfmScorer(settings.scores()).apply(features);
      persist(scored.customers()).count();
      return scored;
    }

    /**
     * Fits and predicts CLV; a fit that cannot be trusted fails the run before anything is written.
     */
    private ClvResult lifetimeValue(Dataset<Row> purchasers, LocalDate snapshot) {
      Dataset<Row> inputs = persist(new ClvInputs(snapshot).inputs(purchasers));
      ClvResult result;
      try {
        result = new CustomerLifetimeValue(settings.clv()).apply(inputs);
      } catch (ClvFitException e) {
        throw new JobFailure(e.getMessage(), e);
      }
      result.customers().ifPresent(c -> persist(c).count());
      return result;
    }

    /**
     * Net policy: returns of customers with no purchase before the snapshot belong to no customer's
     * monetary.
     */
    private Reconciliation reconcile(CustomerSums sums, Dataset<Row> customers) {
      Row totals = customers.agg(count(lit(1)), sum(col(MONETARY))).head();
      BigDecimal unattributed =
          settings.returnsPolicy() != ReturnsPolicy.NET
              ? BigDecimal.ZERO.setScale(scale())
              : decimalOrZero(
                  sums.aggregates()
                      .filter(col(FREQUENCY).equalTo(0))
                      .agg(sum(col(MONETARY)))
                      .head(),
                  0);
      return new Reconciliation(
          totals.getLong(0),
          sums.validAmount(),
          decimalOrZero(totals, 1),
          sums.anonymousAmount().setScale(scale()),
          unattributed);
    }

    Published published() {
      return published;
    }

    private Void write(SnapshotWriter.Snapshot snapshot) {
      try {
        written =
            new SnapshotWriter(spark, tables, settings.clv(), scale(), lockTimeout())
                .write(snapshot);
      } catch (SnapshotLock.HeldException | DeltaTables.SchemaChangeException e) {
        throw new JobFailure(e.getMessage(), e);
      }
      return null;
    }

    /** Each stage's Spark jobs and driver-only time, also logged one line a stage. */
    private Map<String, StageCost> costs() {
      Map<String, StageCost> costs = timer.costs();
      costs.forEach(
          (stage, cost) ->
              LOG.info(
                  "run_id={} stage={} event=cost ms={} spark_jobs={} driver_only_ms={}",
                  runId,
                  stage,
                  cost.millis(),
                  cost.sparkJobs(),
                  cost.driverOnlyMillis()));
      return costs;
    }

    private void warn(List<String> warnings) {
      warnings.forEach(w -> LOG.warn("run_id={} warning=\"{}\"", runId, w));
      record.warn(warnings);
    }

    private Dataset<Row> runLogRow(String status, String failureReason) {
      Row row = record.toRow(status, failureReason, clock.instant(), timer.millis());
      return spark.createDataFrame(List.of(row), Tables.runLog(scale()).schema());
    }

    private void recordFailure(RuntimeException cause) {
      String message = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
      String reason = message.lines().findFirst().orElse("");
      try {
        tables.append(Tables.runLog(scale()), runLogRow("failed", reason));
      } catch (RuntimeException secondary) {
        LOG.error(
            "run_id={} could not record the failed run in run_log: {}",
            runId,
            secondary.getMessage());
        cause.addSuppressed(secondary);
      }
    }

    private Dataset<Row> persist(Dataset<Row> data) {
      return cache.persist(data);
    }

    /** One row per customer (or per rejected line): a partition per core is plenty. */
    private Dataset<Row> compact(Dataset<Row> data) {
      return data.coalesce(spark.sparkContext().defaultParallelism());
    }

    @Override
    public void close() {
      timer.close();
      cache.close();
    }
  }

  /**
   * What a run knows once its input is read and summed per customer, whichever way it got there:
   * the snapshot date, the validated lines and the rejected ones (for the rejects table), the sums,
   * the customers' months (cohorts, loyalty), the mode, and, when the run keeps the incremental
   * state, the step that commits it after the writes.
   */
  private record Summed(
      LocalDate snapshot,
      ValidatedLines lines,
      Dataset<Row> rejected,
      CustomerSums sums,
      Dataset<Row> months,
      String mode,
      Optional<Runnable> stateCommit) {}

  /** A snapshot's tier summary (its rows on the driver and as a table) and segment summary. */
  private record Summaries(List<Row> tierRows, Dataset<Row> tiers, Dataset<Row> segments) {}

  private Duration lockTimeout() {
    return Duration.ofMinutes(settings.lockTimeoutMinutes());
  }

  /** A money total of a one-row result (0 for null) at the money scale. */
  private BigDecimal decimalOrZero(Row row, int index) {
    return (row.isNullAt(index) ? BigDecimal.ZERO : row.getDecimal(index)).setScale(scale());
  }

  private int scale() {
    return settings.input().amountScale();
  }
}
