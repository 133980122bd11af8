package org.rfmtiers.incremental;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import io.delta.tables.DeltaTable;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.rfmtiers.ingest.TransactionSource.InputFile;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state {@code run --incremental} keeps between runs, in three Delta tables of the warehouse:
 * {@code state_lines} (every valid input line, summed per file, customer, order, day and kind),
 * {@code state_customers} (per-customer sums as of a snapshot date) and {@code state_log}, whose
 * rows are the commit points: a state is what the latest state_log row names (its files, its
 * snapshot date and the Delta version of state_customers). Anything written after that row and
 * before the next one (a run that died half-way) is ignored or redone by the next run:
 *
 * <ul>
 *   <li>state_lines is only ever read through {@link #lines}, restricted to the committed files
 *       plus the files the current run folds in, so lines of a file that was folded but never
 *       committed, and has since gone from the input, are not counted;
 *   <li>folding a file again replaces its rows (MERGE on the file and the row's key), so a re-run
 *       never adds a file twice;
 *   <li>state_customers is read at the committed version (time travel), never at its latest.
 * </ul>
 */
public final class IncrementalState {
  private static final Logger LOG = LoggerFactory.getLogger(IncrementalState.class);

  /** One committed state: the row of state_log. */
  public record Commit(
      String runId,
      LocalDate snapshot,
      String fingerprint,
      List<InputFile> files,
      long customersVersion,
      LocalDate latestOrderDate,
      BigDecimal validAmount,
      BigDecimal anonymousAmount,
      long rowsAfterAsOf) {}

  private final SparkSession spark;
  private final DeltaTables tables;
  private final int scale;

  public IncrementalState(SparkSession spark, DeltaTables tables, int scale) {
    this.spark = spark;
    this.tables = tables;
    this.scale = scale;
  }

  /** The latest committed state, if any. */
  public Optional<Commit> last() {
    if (!tables.exists(Tables.STATE_LOG)) {
      return Optional.empty();
    }
    List<Row> rows =
        tables.read(Tables.STATE_LOG).orderBy(col(COMMITTED_AT).desc()).limit(1).collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row r = rows.get(0);
    List<InputFile> files = new ArrayList<>();
    for (Row f : r.<Row>getList(r.fieldIndex(FILES))) {
      files.add(new InputFile(f.getString(0), f.getLong(1), f.getLong(2)));
    }
    return Optional.of(
        new Commit(
            r.getAs(RUN_ID),
            r.<Date>getAs(SNAPSHOT_DATE).toLocalDate(),
            r.getAs(SETTINGS_FINGERPRINT),
            files,
            r.<Long>getAs(CUSTOMERS_VERSION),
            r.<Date>getAs(LATEST_ORDER_DATE).toLocalDate(),
            r.getAs(VALID_AMOUNT),
            // a state committed before anonymous lines were kept holds none
            Arrays.asList(r.schema().fieldNames()).contains(ANONYMOUS_AMOUNT)
                    && !r.isNullAt(r.fieldIndex(ANONYMOUS_AMOUNT))
                ? r.getAs(ANONYMOUS_AMOUNT)
                : BigDecimal.ZERO.setScale(scale),
            r.<Long>getAs(ROWS_AFTER_AS_OF)));
  }

  /**
   * Valid rows summed to the grain of state_lines: per file, customer, order, day and kind.
   * Features computed from these rows equal those computed from the lines themselves (see
   * RfmFeatures and ClvInputs: both only sum amounts and count lines, orders and days).
   */
  public Dataset<Row> summed(Dataset<Row> validRows) {
    return validRows
        .groupBy(col(SOURCE_FILE), col(CUSTOMER_ID), col(ORDER_ID), col(ORDER_DATE), col(IS_RETURN))
        .agg(sum(col(AMOUNT)).as(AMOUNT), count(lit(1)).as(LINES))
        .withColumn(ORDER_MONTH, month(col(ORDER_DATE)));
  }

  /** The columns of state_lines. */
  public static StructType linesSchema(int scale) {
    return Tables.stateLines(scale).schema();
  }

  /** The partition of a line: the first day of its month. */
  public static Column month(Column date) {
    return trunc(date, "month");
  }

  /**
   * Replaces state_lines by every valid line (a full run's rebuild): one row a line, no shuffle.
   */
  public void replaceLines(Dataset<Row> validRows) {
    tables.replaceAll(
        Tables.stateLines(scale),
        validRows.withColumn(LINES, lit(1L)).withColumn(ORDER_MONTH, month(col(ORDER_DATE))));
  }

  /**
   * Folds summed rows of new files into state_lines in one MERGE: a row of a file folded before (a
   * run that died before committing) is replaced, not added. Only the months and files of the new
   * rows can match, which the condition says so that Delta reads only those partitions (and, by
   * file statistics, only files that can hold those file names).
   */
  public void fold(Dataset<Row> summedRows, Collection<String> files) {
    var schema = Tables.stateLines(scale);
    if (!tables.exists(Tables.STATE_LINES)) {
      tables.replaceAll(schema, summedRows);
      return;
    }
    tables.checkSchema(schema);
    List<Object> months = new ArrayList<>();
    for (Row r : summedRows.select(ORDER_MONTH).distinct().collectAsList()) {
      months.add(r.getDate(0));
    }
    if (months.isEmpty()) {
      return;
    }
    Column key =
        col("t." + ORDER_MONTH)
            .isin(months.toArray())
            .and(col("t." + SOURCE_FILE).isin(files.toArray()));
    for (String column : List.of(SOURCE_FILE, CUSTOMER_ID, ORDER_DATE, IS_RETURN)) {
      key = key.and(col("t." + column).equalTo(col("s." + column)));
    }
    key = key.and(col("t." + ORDER_ID).eqNullSafe(col("s." + ORDER_ID)));
    DeltaTable.forPath(spark, tables.path(Tables.STATE_LINES))
        .as("t")
        .merge(schema.conform(summedRows).as("s"), key)
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }

  /** The rows of state_lines that belong to {@code files}. */
  public Dataset<Row> lines(Collection<String> files) {
    Dataset<Row> names =
        spark.createDataset(new ArrayList<>(files), Encoders.STRING()).toDF(SOURCE_FILE);
    return tables.read(Tables.STATE_LINES).join(broadcast(names), SOURCE_FILE);
  }

  /** state_customers as it was at {@code version}. */
  public Dataset<Row> customers(long version) {
    return spark
        .read()
        .format("delta")
        .option("versionAsOf", version)
        .load(tables.path(Tables.STATE_CUSTOMERS));
  }

  /** Replaces state_customers and returns the Delta version that holds {@code customers}. */
  public long replaceCustomers(Dataset<Row> customers) {
    tables.replaceAll(Tables.stateCustomers(scale), customers);
    return DeltaTable.forPath(spark, tables.path(Tables.STATE_CUSTOMERS))
        .history(1)
        .select("version")
        .head()
        .getLong(0);
  }

  /** Appends the commit row: from now on the state is {@code commit}. */
  public void commit(Commit commit) {
    List<Row> files = new ArrayList<>();
    for (InputFile f : commit.files()) {
      files.add(RowFactory.create(f.path(), f.size(), f.modified()));
    }
    Row row =
        RowFactory.create(
            commit.runId(),
            Date.valueOf(commit.snapshot()),
            Timestamp.from(Instant.now()),
            commit.fingerprint(),
            files,
            commit.customersVersion(),
            Date.valueOf(commit.latestOrderDate()),
            commit.validAmount(),
            commit.rowsAfterAsOf(),
            commit.anonymousAmount());
    var schema = Tables.stateLog(scale);
    tables.append(schema, spark.createDataFrame(List.of(row), schema.schema()));
    LOG.info(
        "run_id={} event=state-committed snapshot={} files={} customers_version={}",
        commit.runId(),
        commit.snapshot(),
        commit.files().size(),
        commit.customersVersion());
  }
}
