package org.rfmtiers.cli;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.CliRunner;
import org.rfmtiers.KernelTables;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.output.Tables;

/**
 * A file in the UCI Online Retail layout (invoice lines, "C" cancellations, blank customer ids,
 * quantity and unit price, US dates) runs with only its column mapping, and the lines without a
 * customer are reported as anonymous revenue. Figures by hand from the file:
 *
 * <ul>
 *   <li>17 lines, none rejected; 5 anonymous: 2.51 + 5.02 + 3.40 + 1.63 + 2.90 = 15.46;
 *   <li>17850: 15.30 + 20.34 + 11.10 + 7.65 = 54.39 (its return of 2.55 is not counted:
 *       returns.policy = exclude); 13047: 54.08 + 12.60 + 22.20 = 88.88; 14527: 34.80; 12583: 34.80
 *       (its line of 2010-12-10 is on the snapshot date: after it);
 *   <li>valid amount 212.87 + 15.46 = 228.33.
 * </ul>
 */
@Tag("integration")
class RetailExportTest {
  private static final String FILE = "src/test/resources/retail/online-retail-sample.csv";

  @TempDir static Path dir;

  /** The run of the file with its column mapping only, shared by the tests that read it. */
  static Path warehouse;

  static CliRunner.Outcome outcome;

  @BeforeAll
  static void runTheExport() {
    warehouse = dir.resolve("wh");
    outcome = run(warehouse);
    assertEquals(0, outcome.code(), outcome.err());
  }

  private static CliRunner.Outcome run(Path warehouse, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--input",
                FILE,
                "--warehouse",
                warehouse.toString(),
                "--as-of",
                "2010-12-10",
                "--set",
                "input.columns.customer-id=CustomerID",
                "--set",
                "input.columns.order-id=InvoiceNo",
                "--set",
                "input.columns.order-ts=InvoiceDate",
                "--set",
                "input.timestamp-format=M/d/yyyy H:mm",
                "--set",
                "input.columns.quantity=Quantity",
                "--set",
                "input.columns.unit-price=UnitPrice",
                "--set",
                "input.cancellation.order-id-prefix=C",
                "--set",
                "report.enabled=false"));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(String[]::new));
  }

  @Test
  void guestCheckoutsAreAnonymousRevenueNotRejects() {
    SparkSession spark = SparkTestSession.get();

    Row log = spark.read().format("delta").load(warehouse.resolve("run_log").toString()).head();
    assertEquals(17L, log.<Long>getAs(ROWS_READ));
    assertEquals(17L, log.<Long>getAs(ROWS_VALID));
    assertEquals(0L, log.<Long>getAs(ROWS_REJECTED));
    assertEquals(5L, log.<Long>getAs(ROWS_ANONYMOUS));
    assertEquals(new BigDecimal("15.46"), log.getAs(ANONYMOUS_AMOUNT));
    assertEquals(new BigDecimal("228.33"), log.getAs(VALID_AMOUNT));
    assertEquals(new BigDecimal("212.87"), log.getAs(MONETARY_TOTAL));
    assertTrue(log.<Boolean>getAs(RECONCILED));
    assertEquals(1L, log.<Long>getAs(ROWS_AFTER_AS_OF));

    Map<String, BigDecimal> monetary = new HashMap<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(warehouse.resolve("customer_rfm").toString())
            .select(col(CUSTOMER_ID), col(MONETARY))
            .collectAsList()) {
      monetary.put(r.getString(0), r.getDecimal(1));
    }
    assertEquals(
        Map.of(
            "17850", new BigDecimal("54.39"),
            "13047", new BigDecimal("88.88"),
            "14527", new BigDecimal("34.80"),
            "12583", new BigDecimal("34.80")),
        monetary,
        "four customers; the anonymous lines are in none");
    assertTrue(outcome.out().contains("anonymous (no customer id): 5 rows, 15.46"), outcome.out());
    assertTrue(
        outcome.out().contains("ignored: [StockCode, Description, Country]"),
        "the columns the mapping leaves out are named: " + outcome.out());
  }

  /**
   * Readers beyond Spark: the tables BI tools read most, read through delta-kernel (the Delta
   * protocol, as Trino, DuckDB and Power BI's connector read it), hold exactly the rows Spark SQL
   * reads.
   */
  @Test
  void theTablesReadTheSameWithoutSpark() {
    SparkSession spark = SparkTestSession.get();
    for (String table : List.of("customer_rfm", "customer_tiers_current", "tier_summary")) {
      String path = warehouse.resolve(table).toString();
      List<String> kernel = new ArrayList<>(KernelTables.rows(path));
      Dataset<Row> read = spark.read().format("delta").load(path);
      assertEquals(List.of(read.columns()), KernelTables.columns(path), table + " columns");
      List<String> sparkRows = new ArrayList<>();
      for (Row r : read.collectAsList()) {
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
          fields.add(r.schema().fields()[i].name() + "=" + text(r.get(i)));
        }
        sparkRows.add(String.join(", ", fields));
      }
      Collections.sort(kernel);
      Collections.sort(sparkRows);
      assertFalse(kernel.isEmpty(), table);
      assertEquals(sparkRows, kernel, table);
    }
  }

  private static String text(Object value) {
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    }
    return String.valueOf(value);
  }

  /**
   * The tables keep the oldest Delta protocol (reader 1, writer 2: no table features), which every
   * reader of the format reads: Power BI's connector, Trino, DuckDB, pandas through deltalake.
   * Enabling deletion vectors, column mapping or another table feature would raise it.
   */
  @Test
  void everyTableKeepsAProtocolEveryReaderReads() {
    SparkSession spark = SparkTestSession.get();
    int checked = 0;
    for (String table : Tables.ALL) {
      if (!Files.isDirectory(warehouse.resolve(table))) {
        continue; // no CLV on four customers: no customer_clv, clv_model
      }
      checked++;
      Row detail =
          spark.sql("DESCRIBE DETAIL delta.`" + warehouse.resolve(table).toString() + "`").head();
      assertEquals(1, detail.<Integer>getAs("minReaderVersion"), table);
      assertEquals(2, detail.<Integer>getAs("minWriterVersion"), table);
    }
    assertEquals(Tables.ALL.size() - 2, checked);
  }

  /** input.anonymous = reject keeps the earlier behaviour: 5 of 17 lines rejected fail the run. */
  @Test
  void theRejectPolicyCountsThemAsRejects() {
    CliRunner.Outcome outcome = run(dir.resolve("wh-reject"), "--set", "input.anonymous=reject");
    assertEquals(Main.RUN_FAILED, outcome.code(), outcome.err());
    assertTrue(
        outcome.err().contains("5 of 17 rows") && outcome.err().contains("MISSING_CUSTOMER_ID"),
        outcome.err());
  }
}
