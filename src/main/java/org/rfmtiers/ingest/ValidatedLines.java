package org.rfmtiers.ingest;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rfmtiers.config.InputSettings;
import org.rfmtiers.config.ValidationSettings;

/**
 * The input lines after validation, valid and rejected, with their counts by reject reason.
 *
 * <p>{@link #pack} shapes the validator's output for caching: the typed columns a valid line needs,
 * the reject reason, and a rejected line's file and raw values in one struct column ({@link
 * #PACKED_REJECT}), null on valid lines, so a cached table holds one null per valid line rather
 * than one per raw column. The source file is on valid lines too only when the incremental state
 * needs it.
 */
public record ValidatedLines(
    Dataset<Row> rows,
    long read,
    long valid,
    long anonymous,
    Optional<LocalDate> latest,
    Map<String, Long> rejectsByReason) {

  /** The raw columns a rejected line keeps, in rejected_transactions' order. */
  private static final List<String> RAW =
      List.of(
          RAW_CUSTOMER_ID,
          RAW_ORDER_ID,
          RAW_ORDER_TS,
          RAW_AMOUNT,
          RAW_QUANTITY,
          RAW_UNIT_PRICE,
          RAW_TRANSACTION_ID,
          RAW_RECORD);

  /** Lines rejected over the lines read, 0 for no line. */
  public long rejected() {
    return read - valid;
  }

  public double rejectRate() {
    return read == 0 ? 0 : rejected() / (double) read;
  }

  /**
   * Validates raw lines and packs them ({@link ValidatedLines class comment}); nothing runs yet.
   */
  public static Dataset<Row> pack(
      InputSettings input,
      ValidationSettings validation,
      RawTransactions raw,
      LocalDate today,
      boolean keepSourceFile) {
    Dataset<Row> checked =
        new TransactionValidator(input, validation, today, raw.floatingPointAmounts())
            .apply(raw.rows());
    List<Column> columns = new ArrayList<>();
    if (keepSourceFile) {
      columns.add(col(SOURCE_FILE));
    }
    for (String name :
        List.of(CUSTOMER_ID, ORDER_ID, ORDER_DATE, AMOUNT, IS_RETURN, REJECT_REASON)) {
      columns.add(col(name));
    }
    List<Column> kept = new ArrayList<>();
    kept.add(col(SOURCE_FILE));
    for (String name : RAW) {
      kept.add(
          name.equals(RAW_ORDER_TS) ? TransactionSource.rawOrderTs().as(RAW_ORDER_TS) : col(name));
    }
    columns.add(
        when(col(REJECT_REASON).isNotNull(), struct(kept.toArray(Column[]::new)))
            .as(PACKED_REJECT));
    return checked.select(columns.toArray(Column[]::new));
  }

  /** Counts packed lines by reject reason: one Spark job, one row per reason back to the driver. */
  public static ValidatedLines of(Dataset<Row> packed) {
    List<Row> byReason =
        packed
            .groupBy(col(REJECT_REASON), col(CUSTOMER_ID).isNull())
            .agg(count(lit(1)), max(col(ORDER_DATE)))
            .collectAsList();
    long read = 0;
    long valid = 0;
    long anonymous = 0;
    Optional<LocalDate> latest = Optional.empty();
    Map<String, Long> rejectsByReason = new LinkedHashMap<>();
    for (Row r : byReason) {
      read += r.getLong(2);
      if (r.isNullAt(0)) {
        valid += r.getLong(2);
        anonymous += r.getBoolean(1) ? r.getLong(2) : 0;
        if (!r.isNullAt(3)
            && latest.map(d -> d.isBefore(r.getDate(3).toLocalDate())).orElse(true)) {
          latest = Optional.of(r.getDate(3).toLocalDate());
        }
      } else {
        rejectsByReason.merge(r.getString(0), r.getLong(2), Long::sum);
      }
    }
    return new ValidatedLines(packed, read, valid, anonymous, latest, Map.copyOf(rejectsByReason));
  }

  /** No line at all, in the packed shape: an incremental night without a new file. */
  public static ValidatedLines none(SparkSession spark) {
    StructType raw = new StructType().add(SOURCE_FILE, DataTypes.StringType);
    for (String name : RAW) {
      raw = raw.add(name, DataTypes.StringType);
    }
    StructType packed =
        new StructType()
            .add(SOURCE_FILE, DataTypes.StringType)
            .add(REJECT_REASON, DataTypes.StringType)
            .add(PACKED_REJECT, raw);
    return new ValidatedLines(
        spark.createDataFrame(List.of(), packed), 0, 0, 0, Optional.empty(), Map.of());
  }

  /**
   * The valid lines: source file (null unless packed with it), customer (null on an anonymous
   * line), order, date, amount, kind.
   */
  public Dataset<Row> validRows() {
    Column source =
        Arrays.asList(rows.columns()).contains(SOURCE_FILE)
            ? col(SOURCE_FILE)
            : lit(null).cast("string").as(SOURCE_FILE);
    return rows.filter(col(REJECT_REASON).isNull())
        .select(
            source, col(CUSTOMER_ID), col(ORDER_ID), col(ORDER_DATE), col(AMOUNT), col(IS_RETURN));
  }

  /** The rejected lines as rejected_transactions has them: source file, reason and raw values. */
  public Dataset<Row> rejectedRows() {
    List<Column> columns = new ArrayList<>();
    columns.add(col(PACKED_REJECT + "." + SOURCE_FILE).as(SOURCE_FILE));
    columns.add(col(REJECT_REASON));
    for (String name : RAW) {
      columns.add(col(PACKED_REJECT + "." + name).as(name));
    }
    return rows.filter(col(REJECT_REASON).isNotNull()).select(columns.toArray(Column[]::new));
  }

  /**
   * Why the reject rate fails the run, with the counts by reason and one example line per reason
   * (one Spark job, at most five rows back), or empty when it is within {@code maxRejectRate}.
   */
  public Optional<String> rejectRateExceeded(double maxRejectRate) {
    if (rejectRate() <= maxRejectRate) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "%d of %d rows (%.2f%%) were rejected, above validation.max-reject-rate = %s; by reason: %s;"
                + " e.g. %s. Fix the input or the column mapping (input.columns.*,"
                + " input.timestamp-format), or raise the threshold",
            rejected(),
            read,
            100 * rejectRate(),
            maxRejectRate,
            rejectsByReason,
            examples()));
  }

  private String examples() {
    List<String> lines = new ArrayList<>();
    List<Row> firstPerReason =
        rejectedRows()
            .groupBy(col(REJECT_REASON))
            .agg(
                first(
                    struct(
                        col(SOURCE_FILE),
                        col(RAW_CUSTOMER_ID),
                        col(RAW_ORDER_TS),
                        col(RAW_AMOUNT),
                        col(RAW_RECORD))))
            .orderBy(REJECT_REASON)
            .limit(5)
            .collectAsList();
    for (Row r : firstPerReason) {
      Row e = r.getStruct(1);
      lines.add(
          r.getString(0)
              + " in "
              + e.getString(0)
              + ": customer_id="
              + quote(e.getString(1))
              + " order_ts="
              + quote(e.getString(2))
              + " amount="
              + quote(e.getString(3))
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
