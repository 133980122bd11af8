package org.rfmtiers.output;

import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.SparkTestSession;

/** Money is never floating point in any table, and a table written before that is migrated. */
class MoneyColumnsTest {
  /** Column names that hold money. */
  private static final Pattern MONEY =
      Pattern.compile("(monetary|revenue|amount|spend|value)$|^clv_");

  /**
   * Named like money but not money: raw input text, the thresholds of all three metrics in one
   * column (days, orders and money), and a tier's ranking criterion (a mean CLV or a unitless
   * composite).
   */
  private static final Set<String> NOT_MONEY = Set.of(RAW_AMOUNT, MIN_VALUE, MAX_VALUE, TIER_VALUE);

  @TempDir Path dir;

  @Test
  void everyMoneyColumnOfEveryTableIsDecimal() {
    List<TableSchema> all =
        List.of(
            Tables.customerRfm(2),
            Tables.customerTiersCurrent(2),
            Tables.segmentSummary(2),
            Tables.tierMigration(),
            Tables.tierSummary(2),
            Tables.scoreThresholds(),
            Tables.rejectedTransactions(),
            Tables.customerClv("12m", 2),
            Tables.clvModel(),
            Tables.runLog(2),
            Tables.tierModel(2),
            Tables.stateLines(2),
            Tables.stateCustomers(2),
            Tables.stateLog(2));
    List<String> money = new ArrayList<>();
    for (TableSchema table : all) {
      walk(table.name(), table.schema(), money);
    }
    // the walk finds what it should: spot checks across tables
    for (String expected :
        List.of(
            "customer_rfm.monetary",
            "customer_rfm.future_value",
            "tier_summary.median_monetary",
            "tier_summary.centre_monetary",
            "segment_summary.mean_monetary",
            "customer_clv.clv_12m",
            "customer_clv.expected_avg_order_value",
            "tier_model.tiers.centre_monetary",
            "run_log.valid_amount")) {
      assertTrue(money.contains(expected), expected + " in " + money);
    }
  }

  private static void walk(String prefix, StructType schema, List<String> money) {
    for (StructField field : schema.fields()) {
      String name = prefix + "." + field.name();
      DataType type = field.dataType();
      if (type instanceof ArrayType array) {
        type = array.elementType();
      }
      if (type instanceof StructType struct) {
        walk(name, struct, money);
      } else if (MONEY.matcher(field.name()).find() && !NOT_MONEY.contains(field.name())) {
        assertInstanceOf(DecimalType.class, type, name + " is money: " + type.simpleString());
        money.add(name);
      }
    }
  }

  /**
   * A tier_summary written by an earlier version, with DOUBLE money columns: the next write casts
   * them to DECIMAL in one commit, keeping the old rows (rounded half-up to the money scale).
   */
  @Test
  void doubleMoneyColumnsOfAnEarlierVersionAreMigrated() {
    SparkSession spark = SparkTestSession.get();
    String warehouse = dir.resolve("warehouse").toString();
    TableSchema now = Tables.tierSummary(2);
    StructType old = new StructType();
    for (StructField f : now.schema().fields()) {
      old =
          old.add(
              f.name(),
              f.dataType() instanceof DecimalType && !f.name().equals(REVENUE)
                  ? DataTypes.DoubleType
                  : f.dataType());
    }
    Object[] values = new Object[old.size()];
    values[old.fieldIndex(SNAPSHOT_DATE)] = Date.valueOf("2024-01-01");
    values[old.fieldIndex(TIER)] = 1;
    values[old.fieldIndex(MEAN_MONETARY)] = 431.155;
    values[old.fieldIndex(MEDIAN_MONETARY)] = 12.5;
    values[old.fieldIndex(CENTRE_MONETARY)] = 99.994;
    spark
        .createDataFrame(List.of(RowFactory.create(values)), old)
        .write()
        .format("delta")
        .partitionBy(SNAPSHOT_DATE)
        .save(warehouse + "/" + Tables.TIER_SUMMARY);

    DeltaTables tables = new DeltaTables(spark, warehouse);
    Object[] next = new Object[now.schema().size()];
    next[now.schema().fieldIndex(SNAPSHOT_DATE)] = Date.valueOf("2024-01-02");
    next[now.schema().fieldIndex(TIER)] = 2;
    next[now.schema().fieldIndex(MEAN_MONETARY)] = new BigDecimal("7.00");
    tables.replaceSnapshot(
        now,
        spark.createDataFrame(List.of(RowFactory.create(next)), now.schema()),
        LocalDate.of(2024, 1, 2));

    Dataset<Row> read = tables.read(Tables.TIER_SUMMARY);
    assertEquals(DataTypes.createDecimalType(38, 2), read.schema().apply(MEAN_MONETARY).dataType());
    Row first = read.filter("tier = 1").head();
    assertEquals(new BigDecimal("431.16"), first.getAs(MEAN_MONETARY));
    assertEquals(new BigDecimal("12.50"), first.getAs(MEDIAN_MONETARY));
    assertEquals(new BigDecimal("99.99"), first.getAs(CENTRE_MONETARY));
    assertEquals(new BigDecimal("7.00"), read.filter("tier = 2").head().getAs(MEAN_MONETARY));
    assertEquals(2, read.count());
  }
}
