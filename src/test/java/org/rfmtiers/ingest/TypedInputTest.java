package org.rfmtiers.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.SettingsLoader;

/**
 * Parquet amounts, quantities and prices typed as decimals or integers are checked as numbers (no
 * text round trip); each case is asserted by hand and against the same values read as CSV text.
 */
class TypedInputTest {
  private static final LocalDate TODAY = LocalDate.of(2024, 6, 30);
  private static final String TS = "2024-01-01 10:00:00";

  @TempDir Path dir;

  @BeforeAll
  static void utc() {
    SparkTestSession.get().conf().set("spark.sql.session.timeZone", "UTC");
  }

  @Test
  void decimalAmountsOfTheMoneyScaleAreTakenAsTheyAre() {
    Map<String, Outcome> rows =
        bothWays(
            DataTypes.createDecimalType(10, 2),
            Map.of(),
            row("ok", "10.50"),
            row("return", "-3.25"),
            row("missing", null),
            row("zero", "0.00"));
    assertEquals(new Outcome(null, new BigDecimal("10.50"), false), rows.get("ok"));
    assertEquals(new Outcome(null, new BigDecimal("-3.25"), true), rows.get("return"));
    assertEquals(new Outcome("MISSING_AMOUNT", null, null), rows.get("missing"));
    assertEquals(new Outcome(null, new BigDecimal("0.00"), false), rows.get("zero"));
  }

  @Test
  void decimalsFinerOrLargerThanMoneyAreRejectedAsText() {
    Map<String, Outcome> finer =
        bothWays(
            DataTypes.createDecimalType(12, 4),
            Map.of(),
            row("trailing-zeros", "1.2300"),
            row("precise", "1.2345"));
    assertEquals(new Outcome(null, new BigDecimal("1.23"), false), finer.get("trailing-zeros"));
    assertEquals(new Outcome("AMOUNT_TOO_PRECISE", null, null), finer.get("precise"));

    Map<String, Outcome> wide =
        bothWays(
            DataTypes.createDecimalType(30, 2),
            Map.of(),
            row("small", "12.34"),
            row("huge", "100000000000000000000.00"),
            row("largest", "9999999999999998.00"),
            row("rounds-to-limit", "9999999999999999.99"),
            row("huge-refund", "-10000000000000000.00"));
    assertEquals(new Outcome(null, new BigDecimal("12.34"), false), wide.get("small"));
    assertEquals(new Outcome("AMOUNT_OUT_OF_RANGE", null, null), wide.get("huge"));
    // the limit at scale 2 is 1e16, compared as a double: the nearest double of 9999999999999999.99
    // is 1e16
    assertEquals(
        new Outcome(null, new BigDecimal("9999999999999998.00"), false), wide.get("largest"));
    assertEquals(new Outcome("AMOUNT_OUT_OF_RANGE", null, null), wide.get("rounds-to-limit"));
    assertEquals(new Outcome("AMOUNT_OUT_OF_RANGE", null, null), wide.get("huge-refund"));
  }

  @Test
  void integerAmountsGetTheMoneyScale() {
    Map<String, Outcome> rows =
        bothWays(
            DataTypes.LongType,
            Map.of(),
            row("seven", "7"),
            row("refund", "-2"),
            row("huge", "9000000000000000000"));
    assertEquals(new Outcome(null, new BigDecimal("7.00"), false), rows.get("seven"));
    assertEquals(new Outcome(null, new BigDecimal("-2.00"), true), rows.get("refund"));
    assertEquals(new Outcome("AMOUNT_OUT_OF_RANGE", null, null), rows.get("huge"));
  }

  @Test
  void typedQuantityTimesTypedPriceRoundsHalfUp() {
    SparkSession spark = SparkTestSession.get();
    StructType schema =
        base()
            .add("quantity", DataTypes.IntegerType)
            .add("unit_price", DataTypes.createDecimalType(12, 3));
    List<Row> list =
        List.of(
            RowFactory.create("A", "three", Timestamp.valueOf(TS), 3, new BigDecimal("1.005")),
            RowFactory.create("A", "back", Timestamp.valueOf(TS), -2, new BigDecimal("4.500")),
            RowFactory.create("A", "no-price", Timestamp.valueOf(TS), 1, null));
    Dataset<Row> typed = spark.createDataFrame(list, schema);
    Map<String, String> parts =
        Map.of(
            "input.columns.amount",
            "null",
            "input.columns.quantity",
            "quantity",
            "input.columns.unit-price",
            "unit_price");
    Map<String, Outcome> rows = compareWithText(typed, parts);
    assertEquals(
        new Outcome(null, new BigDecimal("3.02"), false), rows.get("three")); // 3.015 half-up
    assertEquals(new Outcome(null, new BigDecimal("-9.00"), true), rows.get("back"));
    assertEquals(new Outcome("MISSING_AMOUNT", null, null), rows.get("no-price"));
  }

  @Test
  void typedTimestampsArePrintedOnlyForRejectedRows() {
    String parquet = dir.resolve("typed-ts").toString();
    SparkTestSession.get()
        .createDataFrame(
            List.of(
                RowFactory.create("A", "kept", Timestamp.valueOf(TS), new BigDecimal("1.00")),
                RowFactory.create(
                    "A", "no-amount", Timestamp.valueOf("2024-02-03 04:05:06"), null)),
            base().add("amount", DataTypes.createDecimalType(10, 2)))
        .write()
        .parquet(parquet);
    JobSettings job = SettingsLoader.load(null, Map.of("input.format", "parquet"));
    RawTransactions raw = new TransactionSource(SparkTestSession.get(), job.input()).read(parquet);
    List<Row> rows =
        new TransactionValidator(job.input(), job.validation(), TODAY, false)
            .apply(raw.rows())
            .select(
                col(RAW_ORDER_ID),
                col(REJECT_REASON),
                col(RAW_ORDER_TS),
                TransactionSource.rawOrderTs())
            .orderBy(RAW_ORDER_ID)
            .collectAsList();
    assertEquals(
        List.of(
            RowFactory.create("kept", null, null, "2024-01-01 10:00:00"),
            RowFactory.create("no-amount", "MISSING_AMOUNT", null, "2024-02-03 04:05:06")),
        rows);
  }

  /**
   * What validation made of one row: reason (null = valid), amount and return flag of a valid row.
   */
  record Outcome(String reason, BigDecimal amount, Boolean isReturn) {}

  private static Object[] row(String order, String amount) {
    return new Object[] {order, amount};
  }

  private static StructType base() {
    return new StructType()
        .add("customer_id", DataTypes.StringType)
        .add("order_id", DataTypes.StringType)
        .add("order_ts", DataTypes.TimestampType);
  }

  /**
   * Rows of one customer with an amount column of {@code type}, validated from Parquet and from
   * CSV.
   */
  private Map<String, Outcome> bothWays(
      DataType type, Map<String, String> overrides, Object[]... rows) {
    List<Row> list = new ArrayList<>();
    for (Object[] r : rows) {
      list.add(RowFactory.create("A", r[0], Timestamp.valueOf(TS), r[1]));
    }
    Dataset<Row> text =
        SparkTestSession.get().createDataFrame(list, base().add("amount", DataTypes.StringType));
    return compareWithText(text.withColumn("amount", col("amount").cast(type)), overrides);
  }

  /**
   * Validates {@code typed} written as Parquet and as CSV; both must give the same outcome per
   * order.
   */
  private Map<String, Outcome> compareWithText(Dataset<Row> typed, Map<String, String> overrides) {
    String parquet = dir.resolve("typed-" + System.nanoTime()).toString();
    String csv = dir.resolve("text-" + System.nanoTime()).toString();
    typed.write().parquet(parquet);
    List<Column> asText = new ArrayList<>();
    for (String name : typed.columns()) {
      asText.add(
          name.equals("order_ts")
              ? date_format(col(name), "yyyy-MM-dd HH:mm:ss").as(name)
              : col(name).cast("string").as(name));
    }
    typed.select(asText.toArray(Column[]::new)).write().option("header", true).csv(csv);
    Map<String, Outcome> fromParquet = validate(parquet, "parquet", overrides);
    Map<String, Outcome> fromCsv = validate(csv, "csv", overrides);
    assertEquals(
        fromCsv, fromParquet, "typed Parquet validates as the same values written as text");
    return fromParquet;
  }

  private static Map<String, Outcome> validate(
      String path, String format, Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>(overrides);
    settings.put("input.format", format);
    JobSettings job = SettingsLoader.load(null, settings);
    TransactionSource source = new TransactionSource(SparkTestSession.get(), job.input());
    RawTransactions raw = source.read(path);
    List<String> columns = Arrays.asList(raw.rows().columns());
    assertEquals(
        format.equals("parquet"),
        columns.contains(TYPED_AMOUNT) || columns.contains(TYPED_QUANTITY),
        "only Parquet's numbers are typed: " + columns);
    Map<String, Outcome> byOrder = new HashMap<>();
    for (Row r :
        new TransactionValidator(job.input(), job.validation(), TODAY, raw.floatingPointAmounts())
            .apply(raw.rows())
            .select(RAW_ORDER_ID, REJECT_REASON, AMOUNT, IS_RETURN)
            .collectAsList()) {
      boolean valid = r.isNullAt(1);
      byOrder.put(
          r.getString(0),
          new Outcome(
              r.getString(1), valid ? r.getDecimal(2) : null, valid ? r.getBoolean(3) : null));
    }
    return byOrder;
  }
}
