package org.rfmtiers.job;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.Column;
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
import org.rfmtiers.features.RfmFeatures;
import org.rfmtiers.ingest.InputException;
import org.rfmtiers.ingest.RawTransactions;
import org.rfmtiers.ingest.TransactionSource;
import org.rfmtiers.ingest.TransactionValidator;
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
  private static final String[] RAW = {
      SOURCE_FILE, RAW_CUSTOMER_ID, RAW_ORDER_ID, RAW_ORDER_TS, RAW_AMOUNT, RAW_QUANTITY, RAW_UNIT_PRICE,
      RAW_TRANSACTION_ID, RAW_RECORD};

  /** Concurrent table writes: enough to overlap commit latency, few enough not to crowd the executors. */
  private static final int WRITERS = 4;
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
      RunResult result = execute(inputUri, asOf, log, timer, tables, cached);
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

  private RunResult execute(String inputUri, Optional<LocalDate> asOf, RunLogEntry log, StageTimer timer,
      DeltaTables tables, List<Dataset<Row>> cached) {
    ZoneId zone = ZoneId.of(settings.input().timeZone());
    spark.conf().set("spark.sql.session.timeZone", zone.getId());
    LocalDate today = LocalDate.now(clock.withZone(zone));

    RawTransactions raw = timer.time("read", () -> new TransactionSource(spark, settings.input()).read(inputUri));
    log.inputFiles = raw.files();
    if (!raw.ignoredColumns().isEmpty()) {
      String warning = "input columns not mapped by input.columns.* and ignored: " + raw.ignoredColumns();
      LOG.info("run_id={} {}", log.runId, warning);
      log.warnings.add(warning);
    }
    Dataset<Row> checked = validated(settings, raw, today);
    checked.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(checked);

    // one row per reject reason (null = valid): bounded by the number of reasons
    List<Row> byReason = timer.time("validate", () -> checked.groupBy(col(REJECT_REASON))
        .agg(count(lit(1)), max(col(ORDER_DATE))).collectAsList(),
        reasons -> reasons.stream().mapToLong(r -> r.getLong(1)).sum());
    long read = 0;
    long valid = 0;
    LocalDate latest = null;
    Map<String, Long> rejectsByReason = new LinkedHashMap<>();
    for (Row r : byReason) {
      read += r.getLong(1);
      if (r.isNullAt(0)) {
        valid = r.getLong(1);
        latest = r.isNullAt(2) ? null : r.getDate(2).toLocalDate();
      } else {
        rejectsByReason.put(r.getString(0), r.getLong(1));
      }
    }
    long rejected = read - valid;
    log.rowsRead = read;
    log.rowsValid = valid;
    log.rowsRejected = rejected;
    if (read == 0) {
      throw new InputException("input " + inputUri + " has no rows (files: " + raw.files() + ")");
    }
    double rejectRate = rejected / (double) read;
    if (rejectRate > settings.validation().maxRejectRate()) {
      throw new JobFailure(String.format(java.util.Locale.ROOT,
          "%d of %d rows (%.2f%%) were rejected, above validation.max-reject-rate = %s; by reason: %s; e.g. %s."
              + " Fix the input or the column mapping (input.columns.*, input.timestamp-format), or raise the threshold",
          rejected, read, 100 * rejectRate, settings.validation().maxRejectRate(), rejectsByReason,
          examples(checked)));
    }
    if (latest == null) {
      throw new JobFailure("input " + inputUri + " has no valid rows");
    }
    LocalDate snapshot = asOf.orElse(latest.plusDays(1));
    log.snapshotDate = snapshot;

    Dataset<Row> validRows = checked.filter(col(REJECT_REASON).isNull())
        .select(CUSTOMER_ID, ORDER_ID, ORDER_DATE, AMOUNT, IS_RETURN);
    Column before = col(ORDER_DATE).lt(lit(java.sql.Date.valueOf(snapshot)));
    Column counted = settings.returnsPolicy() == ReturnsPolicy.NET ? lit(true) : not(col(IS_RETURN));
    Row window = validRows.agg(
        count(when(not(before), lit(1))),
        sum(when(before.and(counted), col(AMOUNT)))).head();
    long afterAsOf = window.getLong(0);
    log.rowsAfterAsOf = afterAsOf;
    if (afterAsOf == valid) {
      throw new JobFailure("no valid transaction is dated before the snapshot date " + snapshot
          + " (--as-of); the earliest transactions are later");
    }
    BigDecimal validAmount = decimalOrZero(window, 1);
    Dataset<Row> inWindow = validRows.filter(before);

    Dataset<Row> features = timer.time("features",
        () -> new RfmFeatures(snapshot, settings.returnsPolicy(), settings.frequencyBasis(), scale(),
            new RfmFeatures.Windows(settings.segments().currentWindowDays(),
                settings.segments().lifecycle().trendWindowDays())).apply(inWindow)
            // one row per customer: a partition per core is plenty
            .coalesce(spark.sparkContext().defaultParallelism())
            .persist(StorageLevel.MEMORY_AND_DISK()));
    cached.add(features);
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
        ? Optional.of(timer.time("clv", () -> lifetimeValue(inWindow, snapshot, cached),
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
    BigDecimal unattributed = unattributedAmount(inWindow);
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
        writeSnapshot(tables, snapshot, log.runId, checked, scored, summary, segmentSummary, segmented, customers, clv);
      } catch (SnapshotLock.HeldException | DeltaTables.SchemaChangeException e) {
        throw new JobFailure(e.getMessage());
      }
      return null;
    });
    RunResult.Counts counts = new RunResult.Counts(read, valid, rejected, afterAsOf, rejectsByReason);
    return RunResult.of(log.runId, snapshot, tables.warehouse(), counts, customerCount, tiers, summaryRows,
        clv.map(NightlyJob::describe).orElse(null), List.copyOf(log.warnings), timer.millis());
  }

  /** The snapshot's table writes, one atomic Delta commit each, under the snapshot lock. */
  private void writeSnapshot(DeltaTables tables, LocalDate snapshot, String runId, Dataset<Row> checked,
      RfmScorer.Scored scored, Dataset<Row> summary, Dataset<Row> segmentSummary, Segmentation.Result segmented,
      Dataset<Row> customers, Optional<ClvResult> clv) {
    for (var schema : List.of(Tables.rejectedTransactions(), Tables.scoreThresholds(), Tables.tierSummary(scale()),
        Tables.segmentSummary(scale()), Tables.tierMigration(), Tables.customerRfm(scale()),
        Tables.customerClv(settings.clv().horizon().label()), Tables.clvModel(), Tables.customerTiersCurrent(scale()))) {
      tables.checkSchema(schema); // every table before the first write: a type change writes nothing
    }
    // independent tables, one Delta commit each: written concurrently, since on small data a commit is
    // mostly driver-side latency (log listing, planning, JSON), not executor work
    List<Runnable> writes = List.of(
        () -> tables.replaceSnapshot(Tables.rejectedTransactions(),
            stamped(checked.filter(col(REJECT_REASON).isNotNull()), snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.scoreThresholds(), stamped(scored.thresholds(), snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.tierSummary(scale()), summary, snapshot),
        () -> tables.replaceSnapshot(Tables.segmentSummary(scale()), stamped(segmentSummary, snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.tierMigration(), stamped(segmented.migration(), snapshot, runId), snapshot),
        () -> tables.replaceSnapshot(Tables.customerRfm(scale()), customers, snapshot),
        () -> clv.ifPresent(c -> writeClv(tables, c, snapshot, runId)));
    inParallel(writes);
    // the latest snapshot, whichever run wrote it: re-running an old date does not make it "current"
    Dataset<Row> all = tables.read(Tables.CUSTOMER_RFM);
    Row latest = all.agg(max(col(SNAPSHOT_DATE))).head();
    tables.replaceAll(Tables.customerTiersCurrent(scale()),
        all.filter(col(SNAPSHOT_DATE).equalTo(lit(latest.getDate(0)))));
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
  private ClvResult lifetimeValue(Dataset<Row> inWindow, LocalDate snapshot, List<Dataset<Row>> cached) {
    Dataset<Row> inputs = new ClvInputs(snapshot, settings.returnsPolicy()).apply(inWindow);
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

  private void writeClv(DeltaTables tables, ClvResult clv, LocalDate snapshot, String runId) {
    var customerClv = Tables.customerClv(settings.clv().horizon().label());
    if (clv.customers().isEmpty()) {
      // no CLV this run: a re-run must not leave an earlier run's CLV rows behind for this snapshot
      if (tables.exists(Tables.CUSTOMER_CLV)) {
        tables.replaceSnapshot(customerClv, tables.read(Tables.CUSTOMER_CLV).limit(0), snapshot);
      }
      return;
    }
    tables.replaceSnapshot(customerClv, stamped(clv.customers().get(), snapshot, runId), snapshot);
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

  /** Validates the raw rows; raw text is kept only on rejected rows, so a cached table stays narrow. */
  static Dataset<Row> validated(JobSettings settings, RawTransactions raw, LocalDate today) {
    Dataset<Row> checked = new TransactionValidator(settings.input(), settings.validation(), today,
        raw.floatingPointAmounts()).apply(raw.rows());
    List<Column> columns = new ArrayList<>();
    for (String name : new String[] {CUSTOMER_ID, ORDER_ID, ORDER_DATE, AMOUNT, IS_RETURN, REJECT_REASON}) {
      columns.add(col(name));
    }
    for (String name : RAW) {
      columns.add(when(col(REJECT_REASON).isNotNull(), col(name)).as(name));
    }
    return checked.select(columns.toArray(Column[]::new));
  }

  /** One example rejected row per reason, for the failure message (bounded by the number of reasons). */
  private static String examples(Dataset<Row> checked) {
    List<String> lines = new ArrayList<>();
    for (Row r : checked.filter(col(REJECT_REASON).isNotNull())
        .groupBy(col(REJECT_REASON))
        .agg(first(struct(col(SOURCE_FILE), col(RAW_CUSTOMER_ID), col(RAW_ORDER_TS), col(RAW_AMOUNT), col(RAW_RECORD))))
        .orderBy(REJECT_REASON).limit(5).collectAsList()) {
      Row e = r.getStruct(1);
      lines.add(r.getString(0) + " in " + e.getString(0) + ": customer_id=" + quote(e.getString(1))
          + " order_ts=" + quote(e.getString(2)) + " amount=" + quote(e.getString(3))
          + (e.isNullAt(4) ? "" : " line=" + quote(e.getString(4))));
    }
    return String.join("; ", lines);
  }

  private static String quote(String value) {
    if (value == null) {
      return "null";
    }
    String shown = value.length() > 60 ? value.substring(0, 60) + "..." : value;
    return "\"" + shown + "\"";
  }

  /** Net policy: returns of customers with no purchase in the window belong to no customer's monetary. */
  private BigDecimal unattributedAmount(Dataset<Row> inWindow) {
    if (settings.returnsPolicy() != ReturnsPolicy.NET) {
      return BigDecimal.ZERO.setScale(scale());
    }
    Row row = inWindow.groupBy(CUSTOMER_ID)
        .agg(count(when(not(col(IS_RETURN)), lit(1))).as("purchases"), sum(col(AMOUNT)).as("amount"))
        .filter(col("purchases").equalTo(0))
        .agg(sum(col("amount")))
        .head();
    return decimalOrZero(row, 0);
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
