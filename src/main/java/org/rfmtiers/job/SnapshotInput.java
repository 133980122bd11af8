package org.rfmtiers.job;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.ReturnsPolicy;
import org.rfmtiers.features.RfmFeatures;
import org.rfmtiers.incremental.IncrementalState;
import org.rfmtiers.ingest.InputException;
import org.rfmtiers.ingest.RawTransactions;
import org.rfmtiers.ingest.TransactionSource;
import org.rfmtiers.ingest.TransactionSource.InputFile;
import org.rfmtiers.ingest.TransactionValidator;

/**
 * What a run knows once its input is read and summed per customer, whichever way it got there: the
 * snapshot date, the rows this run rejected (for the rejects table, as {@link #rejected} has them),
 * the counts of the rows it read, the
 * per-customer sums ({@link RfmFeatures#aggregate}, which carry the CLV day sums too; under CLV the
 * customers with a purchase are {@code daySums}), the valid amount to reconcile against, and, when the
 * run keeps the incremental state, the step that commits it after the snapshot is written.
 */
record SnapshotInput(
    LocalDate snapshot,
    Dataset<Row> rejected,
    RunResult.Counts counts,
    Dataset<Row> aggregates,
    Optional<Dataset<Row>> daySums,
    BigDecimal validAmount,
    String mode,
    Optional<Runnable> stateCommit) {

  /** Reads the input for one run: all of it, or (incremental) the files the state has not folded in yet. */
  static final class Loader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Loader.class);
    /** Up to this many touched customers, their ids are broadcast to the scan of state_lines (tens of MB). */
    private static final long BROADCAST_CUSTOMERS = 2_000_000;
    private static final String[] RAW = {
        RAW_CUSTOMER_ID, RAW_ORDER_ID, RAW_ORDER_TS, RAW_AMOUNT, RAW_QUANTITY, RAW_UNIT_PRICE,
        RAW_TRANSACTION_ID, RAW_RECORD};

    private final SparkSession spark;
    private final JobSettings settings;
    private final RunLogEntry log;
    private final StageTimer timer;
    private final List<Dataset<Row>> cached;
    private final LocalDate today;
    private final IncrementalState state;

    Loader(SparkSession spark, JobSettings settings, RunLogEntry log, StageTimer timer, List<Dataset<Row>> cached,
        LocalDate today, IncrementalState state) {
      this.spark = spark;
      this.settings = settings;
      this.log = log;
      this.timer = timer;
      this.cached = cached;
      this.today = today;
      this.state = state;
    }

    /** A full run: every file. With {@code keepState}, the incremental state is rebuilt from it too. */
    SnapshotInput full(String inputUri, Optional<LocalDate> asOf, Optional<String> keepState) {
      TransactionSource source = new TransactionSource(spark, settings.input());
      List<InputFile> listing = source.isFileInput() ? source.list(inputUri) : List.of();
      RawTransactions raw = timer.time("read",
          () -> source.isFileInput() ? source.readFiles(paths(listing)) : source.read(inputUri));
      Checked checked = check(inputUri, raw, keepState.isPresent());
      if (checked.latest() == null) {
        throw new JobFailure("input " + inputUri + " has no valid rows");
      }
      LocalDate snapshot = asOf.orElse(checked.latest().plusDays(1));
      Dataset<Row> validRows = validRows(checked.rows());
      Column before = col(ORDER_DATE).lt(lit(java.sql.Date.valueOf(snapshot)));
      Row window = validRows.agg(count(when(not(before), lit(1))), sum(when(before.and(counted()), col(AMOUNT)))).head();
      long afterAsOf = window.getLong(0);
      if (afterAsOf == checked.valid()) {
        throw new JobFailure("no valid transaction is dated before the snapshot date " + snapshot
            + " (--as-of); the earliest transactions are later");
      }
      Dataset<Row> inWindow = validRows.filter(before);
      Dataset<Row> aggregates = persisted(features(snapshot).aggregate(inWindow));
      Dataset<Row> rejected = rejected(checked.rows());
      if (keepState.isEmpty()) {
        // once the lines are summed, only the rejected ones are needed again (the state is not rebuilt):
        // the cached lines are dropped before scores, tiers and CLV need the memory (50 M lines: ~2 GB)
        timer.time("features", aggregates::count, n -> n);
        rejected = persisted(rejected);
        rejected.count();
        checked.rows().unpersist();
      }
      Optional<Dataset<Row>> daySums = settings.clv().enabled()
          ? Optional.of(aggregates.filter(col(FREQUENCY).gt(0))) : Optional.empty();
      Optional<Runnable> commit = keepState.map(reason -> () -> {
        LOG.info("run_id={} event=state-rebuild reason=\"{}\"", log.runId, reason);
        state.replaceLines(validRows);
        long version = state.replaceCustomers(aggregates);
        state.commit(new IncrementalState.Commit(log.runId, snapshot, fingerprint(settings), listing, version,
            checked.latest(), decimalOrZero(window, 1), afterAsOf));
      });
      return new SnapshotInput(snapshot, rejected, checked.counts(afterAsOf), aggregates, daySums,
          decimalOrZero(window, 1), keepState.map(reason -> "full; incremental state rebuilt: " + reason).orElse("full"),
          commit);
    }

    /**
     * An incremental run: the files the committed state has not folded in are read, validated and folded
     * into state_lines; customers with a new line or a line in the snapshot's windows (or between the
     * state's snapshot and this one) are summed again from state_lines, every other customer keeps the
     * state's sums with empty windows. When the state cannot serve this run (none yet, other settings,
     * a file changed or gone, an earlier snapshot), this is a full run that rebuilds the state.
     */
    SnapshotInput incremental(String inputUri, Optional<LocalDate> asOf) {
      TransactionSource source = new TransactionSource(spark, settings.input());
      Optional<IncrementalState.Commit> base = state.last();
      List<InputFile> listing = source.isFileInput() ? source.list(inputUri) : List.of();
      Optional<String> unusable = unusable(source, base, listing, asOf);
      if (unusable.isPresent()) {
        LOG.info("run_id={} incremental state not usable: {}; running in full", log.runId, unusable.get());
        return full(inputUri, asOf, unusable);
      }
      IncrementalState.Commit commit = base.get();
      Set<String> folded = new LinkedHashSet<>(paths(commit.files()));
      List<InputFile> added = listing.stream().filter(f -> !folded.contains(f.path())).toList();
      Checked checked;
      if (added.isEmpty()) {
        checked = new Checked(noRows(), 0, 0, null, Map.of());
        log.rowsRead = 0L;
        log.rowsValid = 0L;
        log.rowsRejected = 0L;
      } else {
        RawTransactions raw = timer.time("read", () -> source.readFiles(paths(added)));
        checked = check(inputUri, raw, true);
      }
      LocalDate latest = checked.latest() == null || checked.latest().isBefore(commit.latestOrderDate())
          ? commit.latestOrderDate() : checked.latest();
      LocalDate snapshot = asOf.orElse(latest.plusDays(1));
      if (snapshot.isBefore(commit.snapshot())) {
        String reason = "the snapshot " + snapshot + " is before the state's snapshot " + commit.snapshot();
        LOG.info("run_id={} incremental state not usable: {}; running in full", log.runId, reason);
        return full(inputUri, asOf, Optional.of(reason));
      }
      RfmFeatures rfm = features(snapshot);
      Dataset<Row> newLines = added.isEmpty()
          ? spark.createDataFrame(List.of(), org.rfmtiers.output.Tables.stateLines(scale()).schema())
          : persisted(state.summed(validRows(checked.rows())));
      if (!added.isEmpty()) {
        timer.time("fold", () -> {
          state.fold(newLines, sourceFileNames(added));
          return null;
        });
      }
      Set<String> files = new LinkedHashSet<>(folded);
      files.addAll(paths(added));
      Dataset<Row> lines = state.lines(files.stream().map(TransactionSource::sourceFileName).toList());
      Column date = col(ORDER_DATE);
      java.sql.Date asOfDate = java.sql.Date.valueOf(snapshot);
      // lines whose windows move with the as-of date, or that start to count: their customers are summed again
      Bands bands = new Bands(commit.snapshot(), snapshot, rfm.windowLengths());
      Dataset<Row> touched = persisted(newLines.select(CUSTOMER_ID)
          .union(lines.filter(bands.contains(date)).select(CUSTOMER_ID))
          .distinct());
      // one scan of state_lines for the touched customers' lines, joined on a broadcast of their ids (a
      // shuffle join would move every line of the history); their sums carry the CLV day sums too
      Dataset<Row> touchedIds = timer.time("touched", () -> touched.count(), n -> n) <= BROADCAST_CUSTOMERS
          ? broadcast(touched) : touched;
      Dataset<Row> summedAgain = rfm.aggregate(lines.filter(date.lt(lit(asOfDate))).join(touchedIds, CUSTOMER_ID));
      Dataset<Row> kept = state.customers(commit.customersVersion()).join(touchedIds, new String[] {CUSTOMER_ID}, "left_anti");
      Dataset<Row> aggregates = persisted(summedAgain.unionByName(kept));

      // the valid amount and the lines after the snapshot, moved on from the state's by the lines that
      // came in (new files) and the lines of earlier files that the move of the as-of date brought in
      Column sinceState = date.geq(lit(java.sql.Date.valueOf(commit.snapshot()))).and(date.lt(lit(asOfDate)));
      Row old = timer.time("state", () -> lines.filter(bands.months().and(sinceState))
          .filter(not(col(SOURCE_FILE).isin(sourceFileNames(added).toArray())))
          .agg(sum(when(counted(), col(AMOUNT))), sum(col(LINES))).head());
      Row fresh = newLines.agg(sum(when(date.lt(lit(asOfDate)).and(counted()), col(AMOUNT))),
          sum(when(date.geq(lit(asOfDate)), col(LINES)))).head();
      BigDecimal validAmount = commit.validAmount().add(decimalOrZero(old, 0)).add(decimalOrZero(fresh, 0));
      long afterAsOf = commit.rowsAfterAsOf() - (old.isNullAt(1) ? 0 : old.getLong(1)) + (fresh.isNullAt(1) ? 0 : fresh.getLong(1));
      Optional<Dataset<Row>> clvSums = settings.clv().enabled()
          ? Optional.of(aggregates.filter(col(FREQUENCY).gt(0))) : Optional.empty();
      List<InputFile> committedFiles = new ArrayList<>(commit.files());
      committedFiles.addAll(added);
      Runnable commitState = () -> {
        long version = state.replaceCustomers(aggregates);
        state.commit(new IncrementalState.Commit(log.runId, snapshot, commit.fingerprint(), committedFiles, version, latest,
            validAmount, afterAsOf));
      };
      String mode = String.format(java.util.Locale.ROOT, "incremental: %d new file(s) folded into the state of %s",
          added.size(), commit.snapshot());
      return new SnapshotInput(snapshot, rejected(checked.rows()), checked.counts(afterAsOf), aggregates, clvSums,
          validAmount, mode, Optional.of(commitState));
    }

    /** Why the committed state cannot serve an incremental run on {@code listing}, if it cannot. */
    private Optional<String> unusable(TransactionSource source, Optional<IncrementalState.Commit> base,
        List<InputFile> listing, Optional<LocalDate> asOf) {
      if (!source.isFileInput()) {
        return Optional.of("a Delta input is read whole (incremental runs fold new files of csv, parquet or text input)");
      }
      if (settings.input().columns().transactionId().isPresent()) {
        return Optional.of("input.columns.transaction-id de-duplicates lines across all files, which needs them all");
      }
      if (base.isEmpty()) {
        return Optional.of("no incremental state yet");
      }
      IncrementalState.Commit commit = base.get();
      if (!commit.fingerprint().equals(fingerprint(settings))) {
        return Optional.of("the input, validation, returns or features settings changed since the state was built");
      }
      Map<String, InputFile> now = new LinkedHashMap<>();
      listing.forEach(f -> now.put(f.path(), f));
      for (InputFile before : commit.files()) {
        InputFile current = now.get(before.path());
        if (current == null) {
          return Optional.of("file " + before.path() + " was folded into the state but is no longer in the input");
        }
        if (current.size() != before.size() || current.modified() != before.modified()) {
          return Optional.of("file " + before.path() + " changed since it was folded into the state");
        }
      }
      if (asOf.isPresent() && asOf.get().isBefore(commit.snapshot())) {
        return Optional.of("the snapshot " + asOf.get() + " is before the state's snapshot " + commit.snapshot());
      }
      return Optional.empty();
    }

    /** The settings the state's sums depend on: another value means the state must be rebuilt. */
    static String fingerprint(JobSettings settings) {
      var in = settings.input();
      var withoutUri = new org.rfmtiers.config.InputSettings(Optional.empty(), in.format(), in.header(), in.delimiter(),
          in.timestampFormat(), in.timeZone(), in.amountScale(), in.columns(), in.cancellationPrefix(),
          in.negativeAmountIsReturn());
      return withoutUri + "; min-date=" + settings.validation().minDate() + "; max-future-days="
          + settings.validation().maxFutureDays() + "; returns=" + settings.returnsPolicy() + "; frequency="
          + settings.frequencyBasis() + "; windows=" + settings.segments().currentWindowDays() + "/"
          + settings.segments().lifecycle().trendWindowDays();
    }

    /** The validated rows and their counts; fails the run on an empty input or a reject rate above the limit. */
    private Checked check(String inputUri, RawTransactions raw, boolean keepSourceFile) {
      log.inputFiles = raw.files();
      if (!raw.ignoredColumns().isEmpty()) {
        String warning = "input columns not mapped by input.columns.* and ignored: " + raw.ignoredColumns();
        LOG.info("run_id={} {}", log.runId, warning);
        log.warnings.add(warning);
      }
      Dataset<Row> checked = validated(settings, raw, today, keepSourceFile);
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
      return new Checked(checked, read, valid, latest, rejectsByReason);
    }

    private Dataset<Row> persisted(Dataset<Row> data) {
      // one row per customer (or per new order line): a partition per core is plenty
      Dataset<Row> kept = data.coalesce(spark.sparkContext().defaultParallelism()).persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(kept);
      return kept;
    }

    private RfmFeatures features(LocalDate snapshot) {
      return SnapshotInput.features(settings, snapshot);
    }

    /** Whether a valid row's amount counts toward monetary under the returns policy. */
    private Column counted() {
      return settings.returnsPolicy() == ReturnsPolicy.NET ? lit(true) : not(col(IS_RETURN));
    }

    private int scale() {
      return settings.input().amountScale();
    }

    private BigDecimal decimalOrZero(Row row, int index) {
      return (row.isNullAt(index) ? BigDecimal.ZERO : row.getDecimal(index)).setScale(scale());
    }

    /** The shape of validated rows, without any: an incremental run with no new file rejects nothing. */
    private Dataset<Row> noRows() {
      org.apache.spark.sql.types.StructType raw = new org.apache.spark.sql.types.StructType().add(SOURCE_FILE, "string");
      for (String name : RAW) {
        raw = raw.add(name, "string");
      }
      return spark.createDataFrame(List.of(), new org.apache.spark.sql.types.StructType()
          .add(SOURCE_FILE, "string").add(REJECT_REASON, "string").add(REJECTED, raw));
    }

    /** The files as the source_file column (and so state_lines) spells them. */
    private static List<String> sourceFileNames(List<InputFile> files) {
      return files.stream().map(f -> TransactionSource.sourceFileName(f.path())).toList();
    }

    private static List<String> paths(List<InputFile> files) {
      return files.stream().map(InputFile::path).toList();
    }

    private static Dataset<Row> validRows(Dataset<Row> checked) {
      Column source = java.util.Arrays.asList(checked.columns()).contains(SOURCE_FILE)
          ? col(SOURCE_FILE) : lit(null).cast("string").as(SOURCE_FILE);
      return checked.filter(col(REJECT_REASON).isNull())
          .select(source, col(CUSTOMER_ID), col(ORDER_ID), col(ORDER_DATE), col(AMOUNT), col(IS_RETURN));
    }
  }

  /**
   * The order dates whose rows change when the as-of date moves from {@code from} to {@code to}: those
   * entering the snapshot, [from, to), and those crossing a window's start, [from - L, to - L) for each
   * window length L. Empty when the date does not move.
   */
  record Bands(LocalDate from, LocalDate to, List<Integer> windowLengths) {
    Column contains(Column date) {
      Column any = lit(false);
      for (LocalDate[] band : bands()) {
        any = any.or(date.geq(lit(java.sql.Date.valueOf(band[0]))).and(date.lt(lit(java.sql.Date.valueOf(band[1])))));
      }
      return months().and(any);
    }

    /** The state_lines partitions (months) the bands touch, so a scan reads only those. */
    Column months() {
      java.util.TreeSet<java.sql.Date> months = new java.util.TreeSet<>();
      for (LocalDate[] band : bands()) {
        for (LocalDate m = band[0].withDayOfMonth(1); m.isBefore(band[1]); m = m.plusMonths(1)) {
          months.add(java.sql.Date.valueOf(m));
        }
      }
      return months.isEmpty() ? lit(false) : col(ORDER_MONTH).isin(months.toArray());
    }

    private List<LocalDate[]> bands() {
      List<LocalDate[]> bands = new ArrayList<>();
      if (!to.isAfter(from)) {
        return bands;
      }
      bands.add(new LocalDate[] {from, to});
      for (int length : windowLengths) {
        bands.add(new LocalDate[] {from.minusDays(length), to.minusDays(length)});
      }
      return bands;
    }
  }

  /** The features of a snapshot as the settings define them (policy, frequency basis, windows). */
  static RfmFeatures features(JobSettings settings, LocalDate snapshot) {
    return new RfmFeatures(snapshot, settings.returnsPolicy(), settings.frequencyBasis(), settings.input().amountScale(),
        new RfmFeatures.Windows(settings.segments().currentWindowDays(), settings.segments().lifecycle().trendWindowDays()));
  }

  /** Validated rows (valid and rejected) and their counts. */
  private record Checked(Dataset<Row> rows, long read, long valid, LocalDate latest, Map<String, Long> rejectsByReason) {
    RunResult.Counts counts(long afterAsOf) {
      return new RunResult.Counts(read, valid, read - valid, afterAsOf, rejectsByReason);
    }
  }

  /** The struct column of a validated row that holds a rejected row's file and raw values (null on valid rows). */
  static final String REJECTED = "rejected";

  /**
   * Validates the raw rows. A rejected row's file and raw text are kept in one struct column,
   * {@link #REJECTED}, null on valid rows, so a cached table holds one null per valid row rather than
   * one per raw column (10 M rows: 430 MB instead of 780 MB cached); the source file is on valid rows
   * too only when {@code keepSourceFile} (the incremental state needs it).
   */
  static Dataset<Row> validated(JobSettings settings, RawTransactions raw, LocalDate today, boolean keepSourceFile) {
    Dataset<Row> checked = new TransactionValidator(settings.input(), settings.validation(), today,
        raw.floatingPointAmounts()).apply(raw.rows());
    List<Column> columns = new ArrayList<>();
    if (keepSourceFile) {
      columns.add(col(SOURCE_FILE));
    }
    for (String name : new String[] {CUSTOMER_ID, ORDER_ID, ORDER_DATE, AMOUNT, IS_RETURN, REJECT_REASON}) {
      columns.add(col(name));
    }
    List<Column> kept = new ArrayList<>();
    kept.add(col(SOURCE_FILE));
    for (String name : Loader.RAW) {
      kept.add(name.equals(RAW_ORDER_TS) ? TransactionSource.rawOrderTs().as(RAW_ORDER_TS) : col(name));
    }
    columns.add(when(col(REJECT_REASON).isNotNull(), struct(kept.toArray(Column[]::new))).as(REJECTED));
    return checked.select(columns.toArray(Column[]::new));
  }

  /** The rejected rows of {@link #validated}: source file, reason and raw values, as rejected_transactions has them. */
  static Dataset<Row> rejected(Dataset<Row> checked) {
    List<Column> columns = new ArrayList<>();
    columns.add(col(REJECTED + "." + SOURCE_FILE).as(SOURCE_FILE));
    columns.add(col(REJECT_REASON));
    for (String name : Loader.RAW) {
      columns.add(col(REJECTED + "." + name).as(name));
    }
    return checked.filter(col(REJECT_REASON).isNotNull()).select(columns.toArray(Column[]::new));
  }

  /** One example rejected row per reason, for the failure message (bounded by the number of reasons). */
  private static String examples(Dataset<Row> checked) {
    List<String> lines = new ArrayList<>();
    for (Row r : rejected(checked)
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
}
