package org.rfmtiers.robustness;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.CliRunner;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.cli.Main;

/**
 * Each class of bad input either becomes a reject with a reason, or fails the run clearly, touching
 * nothing.
 */
@Tag("integration")
@Tag("long")
class BadInputTest {
  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void session() {
    spark = SparkTestSession.get();
  }

  private static String file(String name, String content) throws Exception {
    Path path = dir.resolve(name);
    Files.createDirectories(path.getParent());
    Files.writeString(path, content);
    return path.toString();
  }

  private static CliRunner.Outcome run(String input, String warehouse, String... sets) {
    String[] base = {
      "run",
      "--input",
      input,
      "--warehouse",
      dir.resolve(warehouse).toString(),
      "--set",
      "validation.max-reject-rate=0.9",
      "--set",
      "report.enabled=false"
    };
    String[] args = new String[base.length + sets.length * 2];
    System.arraycopy(base, 0, args, 0, base.length);
    for (int i = 0; i < sets.length; i++) {
      args[base.length + 2 * i] = "--set";
      args[base.length + 2 * i + 1] = sets[i];
    }
    return CliRunner.run(args);
  }

  private static Dataset<Row> table(String warehouse, String name) {
    return spark.read().format("delta").load(dir.resolve(warehouse).resolve(name).toString());
  }

  private static final String GOOD =
      """
      A,O1,2024-01-01 10:00:00,10.00
      A,O2,2024-01-05 10:00:00,20.00
      B,O3,2024-01-03 10:00:00,30.00
      """;

  @Test
  void malformedCsvLinesAreRejectedWithTheirText() throws Exception {
    String input =
        file(
            "malformed/in.csv",
            "customer_id,order_id,order_ts,amount\n"
                + GOOD
                + """
        C,O4,2024-01-02 10:00:00
        D,O5,2024-01-02 10:00:00,5.00,extra
        E,"O6,2024-01-02 10:00:00,5.00
        F,O7,"2024-01-02 10:00:00",7.00
        """);
    CliRunner.Outcome outcome = run(input, "wh-malformed");
    assertEquals(0, outcome.code(), outcome.err());
    Map<String, String> reasons = new HashMap<>();
    for (Row r : table("wh-malformed", "rejected_transactions").collectAsList()) {
      reasons.put(r.<String>getAs(RAW_RECORD), r.getAs(REJECT_REASON));
    }
    assertEquals(
        Map.of(
            "C,O4,2024-01-02 10:00:00", "MALFORMED_ROW",
            "D,O5,2024-01-02 10:00:00,5.00,extra", "MALFORMED_ROW",
            "E,\"O6,2024-01-02 10:00:00,5.00", "MALFORMED_ROW"),
        reasons);
    Row log = table("wh-malformed", "run_log").head();
    assertEquals(7L, log.<Long>getAs("rows_read"));
    assertEquals(4L, log.<Long>getAs("rows_valid"), "a properly quoted field is fine");
  }

  @Test
  void emptyInputIsBadInput() throws Exception {
    String input = file("empty/in.csv", "customer_id,order_id,order_ts,amount\n");
    CliRunner.Outcome outcome = run(input, "wh-empty");
    assertEquals(Main.BAD_INPUT, outcome.code());
    assertTrue(outcome.err().contains("has no rows"), outcome.err());
  }

  @Test
  void allRowsRejectedFailsAndLeavesEarlierSnapshotsAlone() throws Exception {
    String good = file("all-bad/good.csv", "customer_id,order_id,order_ts,amount\n" + GOOD);
    assertEquals(0, run(good, "wh-all-bad").code());
    long version =
        spark
            .sql("DESCRIBE HISTORY delta.`" + dir.resolve("wh-all-bad/customer_rfm") + "`")
            .agg(max("version"))
            .head()
            .getLong(0);
    String bad =
        file(
            "all-bad/bad.csv",
            "customer_id,order_id,order_ts,amount\n"
                + """
        A,O1,yesterday,10.00
        ,O2,2024-01-05 10:00:00,20.00
        B,O3,2024-01-03 10:00:00,lots
        """);
    CliRunner.Outcome outcome =
        run(bad, "wh-all-bad", "validation.max-reject-rate=0.5", "input.anonymous=reject");
    assertEquals(Main.RUN_FAILED, outcome.code());
    assertTrue(
        outcome.err().contains("BAD_TIMESTAMP")
            && outcome.err().contains("MISSING_CUSTOMER_ID")
            && outcome.err().contains("BAD_AMOUNT"),
        outcome.err());
    assertTrue(outcome.err().contains("input.timestamp-format"), "names the fix: " + outcome.err());
    assertEquals(
        version,
        spark
            .sql("DESCRIBE HISTORY delta.`" + dir.resolve("wh-all-bad/customer_rfm") + "`")
            .agg(max("version"))
            .head()
            .getLong(0),
        "customer_rfm untouched");
    assertEquals(
        List.of("failed", "succeeded"),
        table("wh-all-bad", "run_log")
            .orderBy(col("status"))
            .select("status")
            .as(Encoders.STRING())
            .collectAsList());
  }

  @Test
  void extraColumnsAreIgnoredAndRecorded() throws Exception {
    String input =
        file(
            "extra/in.csv",
            "customer_id,order_id,order_ts,amount,store,channel\n"
                + GOOD.lines().map(l -> l + ",S1,web").reduce("", (a, b) -> a + b + "\n"));
    assertEquals(0, run(input, "wh-extra").code());
    Row log = table("wh-extra", "run_log").head();
    assertTrue(
        log.getList(log.fieldIndex("warnings")).toString().contains("[store, channel]"),
        log.toString());
    assertEquals(3L, log.<Long>getAs("rows_valid"));
  }

  @Test
  void aFileGivenTwiceIsReadOnce() throws Exception {
    String input = file("twice/in.csv", "customer_id,order_id,order_ts,amount\n" + GOOD);
    assertEquals(0, run(input + "," + input, "wh-twice").code());
    Row log = table("wh-twice", "run_log").head();
    assertEquals(3L, log.<Long>getAs("rows_read"));
    assertEquals(1, log.getList(log.fieldIndex("input_files")).size());
  }

  @Test
  void unicodeAndLongIdsSurviveAndASingleCustomerStillGetsATier() throws Exception {
    String longId = "客户-ü-😀-" + "x".repeat(400);
    String input =
        file(
            "unicode/in.csv",
            "customer_id,order_id,order_ts,amount\n"
                + longId
                + ",O1,2024-01-01 10:00:00,10.00\n"
                + longId
                + ",O2,2024-01-04 10:00:00,5.50\n");
    CliRunner.Outcome outcome = run(input, "wh-unicode");
    assertEquals(0, outcome.code(), outcome.err());
    Row customer = table("wh-unicode", "customer_rfm").head();
    assertEquals(longId, customer.getAs(CUSTOMER_ID));
    assertEquals(1, customer.<Integer>getAs(TIER));
    assertEquals(new BigDecimal("15.50"), customer.getAs(MONETARY));
    Row log = table("wh-unicode", "run_log").head();
    assertEquals(1, log.<Integer>getAs("k"));
    assertFalse(
        log.getList(log.fieldIndex("warnings")).isEmpty(), "the degenerate tiering is a warning");
  }

  @Test
  void datesFollowTheInputTimeZoneAcrossDaylightSaving() throws Exception {
    // 2024-03-10 02:30 does not exist in New York (clocks jump 02:00 -> 03:00); 2024-11-03 01:30
    // happens
    // twice. Both are still purchases on those local dates; UTC instants map to New York dates.
    String input =
        file(
            "dst/in.csv",
            "customer_id,order_id,order_ts,amount\n"
                + """
        A,O1,2024-03-10 02:30:00,10.00
        A,O2,2024-11-03 01:30:00,10.00
        B,O3,2024-11-03 23:30:00,10.00
        """);
    CliRunner.Outcome outcome = run(input, "wh-dst", "input.time-zone=America/New_York");
    assertEquals(0, outcome.code(), outcome.err());
    Map<String, Row> byId = new HashMap<>();
    table("wh-dst", "customer_rfm").collectAsList().forEach(r -> byId.put(r.getAs(CUSTOMER_ID), r));
    assertEquals(Date.valueOf("2024-03-10"), byId.get("A").getAs(FIRST_PURCHASE_DATE));
    assertEquals(Date.valueOf("2024-11-03"), byId.get("A").getAs(LAST_PURCHASE_DATE));
    assertEquals(
        Date.valueOf("2024-11-04"),
        byId.get("A").getAs(SNAPSHOT_DATE),
        "day after the last purchase");
  }
}
