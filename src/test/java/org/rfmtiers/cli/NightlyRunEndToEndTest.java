package org.rfmtiers.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.mllib.clustering.KMeansModel;
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

/** Runs the real CLI entry point against a temp warehouse and reads the Delta tables back. */
@Tag("integration")
class NightlyRunEndToEndTest {
  private static final String LOG =
      """
      customer_id,order_id,order_ts,amount
      A,O1,2024-01-01 10:00:00,100.00
      A,O2,2024-01-10 09:00:00,50.50
      A,O3,2024-01-10 18:00:00,20.00
      A,C2,2024-01-12 12:00:00,-50.50
      B,O4,2024-01-05 08:00:00,30.00
      D,O5,2024-01-02 10:00:00,10.00
      D,O6,2024-01-20 11:00:00,15.00
      D,O6,2024-01-20 11:00:00,6.00
      E,C9,2024-01-15 09:00:00,-12.00
      K,O12,2024-02-01 10:00:00,99.00
      ,O7,2024-01-03 10:00:00,5.00
      G,O8,2024-13-45 10:00:00,5.00
      H,O9,2024-01-04 10:00:00,abc
      I,O10,2024-01-04 10:00:00,1.234
      J,O11
      """;

  /**
   * The shared warehouse's runs, in order: the default as-of date (2024-02-02, the latest snapshot
   * throughout), 2024-01-11 (an older date), 2024-01-21 (registered in the catalog) and 2024-01-21
   * again. Read-only tests assert on it; tests that change a warehouse work on a copy.
   */
  private static final List<String> SHARED_RUNS =
      List.of("", "2024-01-11", "2024-01-21", "2024-01-21");

  @TempDir static Path dir;
  static SparkSession spark;
  static String input;
  static Path shared;
  static List<CliRunner.Outcome> sharedRuns = new ArrayList<>();

  /** customer_rfm of 2024-01-21 after its first run, before the re-run. */
  static List<Row> firstOf0121;

  /** customer_rfm of 2024-02-02 after its run, before the runs of other snapshots. */
  static List<Row> firstOf0202;

  @BeforeAll
  static void writeLogAndSharedWarehouse() throws Exception {
    spark = SparkTestSession.get();
    Path file = dir.resolve("in/transactions.csv");
    Files.createDirectories(file.getParent());
    Files.writeString(file, LOG);
    input = file.toString();
    shared = dir.resolve("wh-shared");
    for (int i = 0; i < SHARED_RUNS.size(); i++) {
      String asOf = SHARED_RUNS.get(i);
      sharedRuns.add(
          i == 2
              ? run(shared, asOf, "--catalog", "rfm_e2e")
              : run(shared, asOf.isEmpty() ? null : asOf));
      if (i == 0) {
        firstOf0202 = rows(shared, "2024-02-02");
      }
      if (i == 2) {
        firstOf0121 = rows(shared, "2024-01-21");
      }
    }
  }

  private static CliRunner.Outcome cli(String... args) {
    return CliRunner.run(args);
  }

  private static CliRunner.Outcome run(Path warehouse, String asOf, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--input",
                input,
                "--warehouse",
                warehouse.toString(),
                "--set",
                "validation.max-reject-rate=0.5",
                "--set",
                "input.cancellation.order-id-prefix=C",
                // O7 has no customer id: the hand-computed figures below count it a reject
                "--set",
                "input.anonymous=reject",
                "--set",
                "report.enabled=false"));
    if (asOf != null) {
      args.addAll(List.of("--as-of", asOf));
    }
    args.addAll(List.of(extra));
    CliRunner.Outcome outcome = cli(args.toArray(String[]::new));
    assertEquals(0, outcome.code(), outcome.err());
    return outcome;
  }

  private static Dataset<Row> table(Path warehouse, String name) {
    return spark.read().format("delta").load(warehouse.resolve(name).toString());
  }

  private static Dataset<Row> snapshot(Path warehouse, String name, String date) {
    return table(warehouse, name).filter(col(SNAPSHOT_DATE).equalTo(Date.valueOf(date)));
  }

  private static List<Row> rows(Path warehouse, String date) {
    return snapshot(warehouse, "customer_rfm", date)
        .drop(RUN_ID)
        .orderBy(CUSTOMER_ID)
        .collectAsList();
  }

  /**
   * A copy of the shared warehouse (of only {@code tables}, when given), for a test that changes
   * it.
   */
  private static Path copyOfShared(String name, String... tables) throws Exception {
    Path copy = dir.resolve(name);
    try (var paths = Files.walk(shared)) {
      for (Path p : paths.toList()) {
        Path relative = shared.relativize(p);
        if (tables.length == 0
            || relative.toString().isEmpty()
            || List.of(tables).contains(relative.getName(0).toString())) {
          Files.copy(p, copy.resolve(relative.toString()));
        }
      }
    }
    return copy;
  }

  private static Row runLogOf(Path warehouse, String snapshotDate) {
    return table(warehouse, "run_log")
        .filter(col(SNAPSHOT_DATE).equalTo(Date.valueOf(snapshotDate)))
        .orderBy("started_at")
        .head();
  }

  @Test
  void writesAllTablesWithHandComputedValues() {
    Path warehouse = shared;
    CliRunner.Outcome outcome = sharedRuns.get(0);
    assertTrue(
        outcome.out().contains("snapshot 2024-02-02"),
        "as-of defaults to the day after the last purchase: " + outcome.out());

    Map<String, Row> customers = new HashMap<>();
    snapshot(warehouse, "customer_rfm", "2024-02-02")
        .collectAsList()
        .forEach(r -> customers.put(r.getAs(CUSTOMER_ID), r));
    assertEquals(List.of("A", "B", "D", "K"), customers.keySet().stream().sorted().toList());
    Row a = customers.get("A");
    assertEquals(23, a.<Integer>getAs(RECENCY_DAYS), "2024-02-02 - 2024-01-10");
    assertEquals(3L, a.<Long>getAs(FREQUENCY));
    assertEquals(new BigDecimal("170.50"), a.getAs(MONETARY));
    assertEquals(new BigDecimal("56.83"), a.getAs(AVG_ORDER_VALUE));
    Row k = customers.get("K");
    assertEquals(1, k.<Integer>getAs(RECENCY_DAYS));
    // n = 4: ranks 1..4 get 1 + floor(5 (r - 1) / 4) = 1, 2, 3, 4. Recency ranks the oldest first:
    // B 28, A 23, D 13, K 1 days. Frequency: B and K (1 order, order by id hash), D 2, A 3.
    // Monetary:
    // B 30.00, D 31.00, K 99.00, A 170.50.
    assertEquals("244", a.getAs(RFM_CELL));
    assertTrue(k.<String>getAs(RFM_CELL).matches("4[12]3"), k.<String>getAs(RFM_CELL));
    assertEquals("1", customers.get("B").<String>getAs(RFM_CELL).substring(0, 1));
    assertEquals("332", customers.get("D").<String>getAs(RFM_CELL));

    Map<String, String> reasons = new HashMap<>();
    snapshot(warehouse, "rejected_transactions", "2024-02-02")
        .collectAsList()
        .forEach(r -> reasons.put(r.getAs(RAW_ORDER_ID), r.getAs(REJECT_REASON)));
    assertEquals(
        Map.of(
            "O7",
            "MISSING_CUSTOMER_ID",
            "O8",
            "BAD_TIMESTAMP",
            "O9",
            "BAD_AMOUNT",
            "O10",
            "AMOUNT_TOO_PRECISE",
            "O11",
            "MALFORMED_ROW"),
        reasons);
    Row malformed =
        snapshot(warehouse, "rejected_transactions", "2024-02-02")
            .filter("raw_order_id = 'O11'")
            .head();
    assertEquals("J,O11", malformed.getAs(RAW_RECORD));
    assertTrue(malformed.<String>getAs(SOURCE_FILE).endsWith("transactions.csv"));

    Row log = runLogOf(warehouse, "2024-02-02");
    assertEquals("succeeded", log.getAs("status"));
    assertEquals(15L, log.<Long>getAs("rows_read"));
    assertEquals(10L, log.<Long>getAs("rows_valid"));
    assertEquals(5L, log.<Long>getAs("rows_rejected"));
    assertEquals(0L, log.<Long>getAs("rows_after_as_of"));
    assertEquals(4L, log.<Long>getAs("customers"));
    // exclude policy: purchases 100 + 50.50 + 20 + 30 + 10 + 15 + 6 + 99
    assertEquals(new BigDecimal("330.50"), log.getAs("valid_amount"));
    assertEquals(new BigDecimal("330.50"), log.getAs("monetary_total"));
    assertTrue(log.<Boolean>getAs("reconciled"));
    assertEquals(
        List.of(input),
        log.getList(log.fieldIndex("input_files")).stream()
            .map(f -> f.toString().replace("file:", ""))
            .toList());
    assertEquals(
        new TreeSet<>(STAGES),
        new TreeSet<>(log.getJavaMap(log.fieldIndex("stage_ms")).keySet()),
        "every stage of the night is timed");

    long tiers = snapshot(warehouse, "tier_summary", "2024-02-02").count();
    assertEquals(log.<Integer>getAs("k").longValue(), tiers);
    assertEquals(
        4L,
        snapshot(warehouse, "tier_summary", "2024-02-02").agg(sum(CUSTOMERS)).head().getLong(0));
    assertEquals(
        12,
        snapshot(warehouse, "score_thresholds", "2024-02-02").count(),
        "3 metrics x 4 scores used by 4 customers");
    for (Row r : customers.values()) {
      assertTrue(
          r.<Integer>getAs(TIER) >= 1 && r.<Integer>getAs(TIER) <= log.<Integer>getAs("k"),
          "tier in 1..k: " + r);
      assertNotNull(r.getAs(TIER_NAME));
    }
  }

  private static final List<String> STAGES =
      List.of(
          "list",
          "read",
          "validate",
          "sum",
          "months",
          "features",
          "scores",
          "tiers",
          "clv",
          "segments",
          "churn",
          "cohorts",
          "summary",
          "reconcile",
          "write");

  @Test
  void netPolicyReconcilesWithUnattributedReturns() {
    Path warehouse = dir.resolve("wh-net");
    run(warehouse, "2024-01-21", "--set", "returns.policy=net");
    Row log = table(warehouse, "run_log").head();
    // 100 + 50.50 + 20 - 50.50 + 30 + 10 + 15 + 6 - 12 = 169.00; E's -12.00 belongs to no customer
    assertEquals(new BigDecimal("169.00"), log.getAs("valid_amount"));
    assertEquals(new BigDecimal("181.00"), log.getAs("monetary_total"));
    assertEquals(new BigDecimal("-12.00"), log.getAs("unattributed_amount"));
    assertTrue(log.<Boolean>getAs("reconciled"));
    assertEquals(1L, log.<Long>getAs("rows_after_as_of"), "K's purchase on 2024-02-01");
  }

  /**
   * The first run trains the tier model and records it; the later runs (an older date, a re-run)
   * reuse it: one model id in every snapshot. --retrain trains a new one, says why, and marks the
   * night in tier_migration.
   */
  @Test
  void theTierModelIsKeptAndRetrainedOnRequest() throws Exception {
    List<Row> log = table(shared, "run_log").orderBy("started_at").collectAsList();
    assertEquals("trained", log.get(0).getAs(TIER_MODEL_ACTION));
    assertEquals("no tier model yet", log.get(0).getAs(TIER_MODEL_REASON));
    String model = log.get(0).getAs(TIER_MODEL_ID);
    for (Row later : log.subList(1, log.size())) {
      assertEquals("reused", later.getAs(TIER_MODEL_ACTION));
      assertNull(later.getAs(TIER_MODEL_REASON));
      assertEquals(model, later.getAs(TIER_MODEL_ID));
    }
    assertEquals(
        List.of(model),
        table(shared, "customer_rfm")
            .select(TIER_MODEL_ID)
            .distinct()
            .as(Encoders.STRING())
            .collectAsList());
    Row recorded = table(shared, "tier_model").head();
    assertEquals(model, recorded.getAs(MODEL_ID));
    assertEquals(Date.valueOf("2024-02-02"), recorded.getAs(TRAINED_SNAPSHOT_DATE));
    assertEquals(
        recorded.<Integer>getAs(K),
        KMeansModel.load(spark.sparkContext(), recorded.getAs(MODEL_PATH)).k(),
        "the MLlib model is where tier_model says");

    Path copy = copyOfShared("wh-retrain");
    run(copy, "2024-02-03", "--retrain");
    Row retrained = runLogOf(copy, "2024-02-03");
    assertEquals("trained", retrained.getAs(TIER_MODEL_ACTION));
    assertEquals("forced (--retrain)", retrained.getAs(TIER_MODEL_REASON));
    String newModel = retrained.getAs(TIER_MODEL_ID);
    assertNotEquals(model, newModel);
    Row tierModel = table(copy, "tier_model").filter(col(MODEL_ID).equalTo(newModel)).head();
    assertEquals(model, tierModel.getAs(PREVIOUS_MODEL_ID));
    for (Row move : snapshot(copy, "tier_migration", "2024-02-03").collectAsList()) {
      assertTrue(move.<Boolean>getAs(MODEL_RETRAINED));
      assertEquals(model, move.getAs(PREVIOUS_TIER_MODEL_ID));
    }
  }

  @Test
  void reRunReplacesOnlyItsSnapshot() {
    List<Row> again = rows(shared, "2024-01-21");
    assertEquals(3, again.size());
    assertEquals(firstOf0121, again, "same input, same snapshot: same rows, tiers included");

    List<Row> earlier = rows(shared, "2024-01-11");
    assertEquals(
        List.of("A", "B", "D"), earlier.stream().map(r -> r.<String>getAs(CUSTOMER_ID)).toList());
    assertEquals(
        1,
        earlier.get(0).<Integer>getAs(RECENCY_DAYS),
        "A's last purchase before 2024-01-11 is 2024-01-10");
    assertEquals(
        firstOf0202,
        rows(shared, "2024-02-02"),
        "writing other snapshots leaves this one untouched");
    assertEquals(
        4 + 3 + 3,
        table(shared, "customer_rfm").count(),
        "three snapshots, none duplicated by re-runs");
    assertEquals(
        15,
        table(shared, "rejected_transactions").count(),
        "5 rejects per snapshot, not duplicated");
    assertEquals(SHARED_RUNS.size(), table(shared, "run_log").count(), "run_log keeps every run");
  }

  @Test
  void secondSnapshotRecordsTierMigrationAndSegments() {
    Dataset<Row> migration = snapshot(shared, "tier_migration", "2024-01-21");
    assertEquals(3L, migration.agg(sum(CUSTOMERS)).head().getLong(0));
    assertEquals(
        0,
        migration.filter("movement in ('new', 'lost')").count(),
        "A, B and D are in both snapshots");
    assertEquals(Date.valueOf("2024-01-11"), migration.head().getAs("previous_snapshot_date"));
    assertEquals(
        0,
        snapshot(shared, "customer_rfm", "2024-01-21").filter(col(PREVIOUS_TIER).isNull()).count());
    Dataset<Row> first = snapshot(shared, "tier_migration", "2024-01-11");
    assertEquals(
        3,
        first.filter("movement = 'new'").agg(sum(CUSTOMERS)).head().getLong(0),
        "the first snapshot: everybody is new");

    Dataset<Row> segments = snapshot(shared, "segment_summary", "2024-01-21");
    for (String scheme :
        List.of("rfm_segment", "customer_layer", "value_matrix", "lifecycle_stage")) {
      assertEquals(
          3L,
          segments.filter(col("scheme").equalTo(scheme)).agg(sum(CUSTOMERS)).head().getLong(0),
          scheme);
    }
    Row customerA =
        snapshot(shared, "customer_rfm", "2024-01-21").filter("customer_id = 'A'").head();
    assertNotNull(customerA.getAs(RFM_SEGMENT));
    assertEquals(
        "rfm_proxy", customerA.getAs(FUTURE_VALUE_SOURCE), "three customers are too few for CLV");
  }

  @Test
  void currentTableFollowsTheLatestSnapshotAndMaintainKeepsItReadable() throws Exception {
    // maintain works table by table over the tables present: two are enough to see it
    Path warehouse = copyOfShared("wh-current", "customer_rfm", "customer_tiers_current");
    Dataset<Row> current = table(warehouse, "customer_tiers_current");
    assertEquals(
        List.of(Date.valueOf("2024-02-02")),
        current.select(SNAPSHOT_DATE).distinct().as(Encoders.DATE()).collectAsList(),
        "re-running older dates keeps the latest current");
    assertEquals(4, current.count());

    CliRunner.Outcome maintain =
        cli(
            "maintain",
            "--warehouse",
            warehouse.toString(),
            "--set",
            "maintenance.snapshot-retention-days=30");
    assertEquals(0, maintain.code(), maintain.err());
    assertTrue(maintain.out().contains("customer_rfm"), maintain.out());
    assertEquals(
        List.of(Date.valueOf("2024-02-02")),
        table(warehouse, "customer_rfm")
            .select(SNAPSHOT_DATE)
            .distinct()
            .as(Encoders.DATE())
            .collectAsList(),
        "old snapshots deleted, the latest kept");
    List<String> operations =
        spark
            .sql("DESCRIBE HISTORY delta.`" + warehouse.resolve("customer_rfm") + "`")
            .select("operation")
            .as(Encoders.STRING())
            .collectAsList();
    assertTrue(
        operations.contains("OPTIMIZE")
            && operations.contains("VACUUM END")
            && operations.contains("DELETE"),
        operations.toString());
    assertEquals(
        Main.USAGE,
        cli(
                "maintain",
                "--warehouse",
                warehouse.toString(),
                "--set",
                "maintenance.vacuum-retention-hours=1")
            .code(),
        "an unsafe VACUUM retention is refused");
  }

  @Test
  void aChangedColumnTypeFailsBeforeWritingAndAnAddedColumnIsMerged() throws Exception {
    Path warehouse = copyOfShared("wh-schema");
    String table = "delta.`" + warehouse.resolve("tier_summary") + "`";
    // an older version of the table without centre_monetary: the run adds it back
    spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')");
    spark.sql("ALTER TABLE " + table + " DROP COLUMN centre_monetary");
    run(warehouse, "2024-01-21");
    assertTrue(List.of(table(warehouse, "tier_summary").columns()).contains("centre_monetary"));

    // a table whose customers column is a string: the run refuses and leaves every table as it was
    Path other = copyOfShared("wh-schema-type");
    long version =
        spark.sql("DESCRIBE HISTORY delta.`" + other.resolve("customer_rfm") + "`").count();
    long rejectsVersion =
        spark
            .sql("DESCRIBE HISTORY delta.`" + other.resolve("rejected_transactions") + "`")
            .count();
    Dataset<Row> summary = table(other, "tier_summary");
    summary
        .withColumn(CUSTOMERS, col(CUSTOMERS).cast("string"))
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .save(other.resolve("tier_summary").toString());
    CliRunner.Outcome outcome =
        cli(
            "run",
            "--input",
            input,
            "--warehouse",
            other.toString(),
            "--as-of",
            "2024-01-21",
            "--set",
            "validation.max-reject-rate=0.5",
            "--set",
            "input.cancellation.order-id-prefix=C",
            "--set",
            "report.enabled=false");
    assertEquals(Main.RUN_FAILED, outcome.code());
    assertTrue(
        outcome
            .err()
            .contains("column customers is string in the table but this job writes bigint"),
        outcome.err());
    assertEquals(
        version,
        spark.sql("DESCRIBE HISTORY delta.`" + other.resolve("customer_rfm") + "`").count());
    assertEquals(
        rejectsVersion,
        spark
            .sql("DESCRIBE HISTORY delta.`" + other.resolve("rejected_transactions") + "`")
            .count(),
        "the tables written before tier_summary in a run are untouched too");
  }

  @Test
  void tablesAreRegisteredInTheCatalogOnRequest() {
    assertEquals(
        10, spark.table("rfm_e2e.customer_rfm").count(), "the registered table is the warehouse's");
    assertEquals(4, spark.sql("SELECT * FROM rfm_e2e.customer_tiers_current_view").count());
    assertTrue(spark.catalog().tableExists("rfm_e2e", "run_log"));
    assertEquals(
        Main.USAGE,
        cli(
                "run",
                "--input",
                input,
                "--warehouse",
                shared.toString(),
                "--set",
                "output.catalog-database=rfm; DROP TABLE x")
            .code(),
        "a database name is an identifier, nothing else");
  }

  @Test
  void tablesCarryColumnComments() {
    var field = table(shared, "customer_rfm").schema().apply(RECENCY_DAYS);
    assertTrue(field.getComment().isDefined());
    assertTrue(field.getComment().get().contains("Days from the last purchase"));
    List<Row> detail =
        spark.sql("DESCRIBE DETAIL delta.`" + shared.resolve("customer_rfm") + "`").collectAsList();
    assertEquals(
        List.of(SNAPSHOT_DATE),
        detail.get(0).getList(detail.get(0).fieldIndex("partitionColumns")));
    assertTrue(
        detail.get(0).<String>getAs("description").startsWith("One row per customer per snapshot"));
  }

  @Test
  void tooManyRejectsFailsWithoutWritingTheSnapshot() {
    Path warehouse = dir.resolve("wh-threshold");
    CliRunner.Outcome outcome =
        cli(
            "run",
            "--input",
            input,
            "--warehouse",
            warehouse.toString(),
            "--set",
            "validation.max-reject-rate=0.1");
    assertEquals(Main.RUN_FAILED, outcome.code());
    assertTrue(outcome.err().contains("validation.max-reject-rate"), outcome.err());
    assertTrue(outcome.err().contains("BAD_TIMESTAMP"), outcome.err());
    assertFalse(Files.exists(warehouse.resolve("customer_rfm")), "nothing published");
    Row log = table(warehouse, "run_log").head();
    assertEquals("failed", log.getAs("status"));
    assertTrue(log.<String>getAs("failure_reason").contains("rejected"));
  }

  @Test
  void missingInputPathExitsWithBadInput() {
    CliRunner.Outcome outcome =
        cli(
            "run",
            "--input",
            dir.resolve("nope/*.csv").toString(),
            "--warehouse",
            dir.resolve("wh-missing").toString());
    assertEquals(Main.BAD_INPUT, outcome.code());
    assertTrue(outcome.err().contains("does not exist"), outcome.err());
  }

  @Test
  void missingColumnIsNamedWithTheFix() {
    CliRunner.Outcome outcome =
        cli(
            "run",
            "--input",
            input,
            "--warehouse",
            dir.resolve("wh-col").toString(),
            "--set",
            "input.columns.amount=Revenue");
    assertEquals(Main.BAD_INPUT, outcome.code());
    assertTrue(
        outcome.err().contains("\"Revenue\"")
            && outcome.err().contains("--set input.columns.amount="),
        outcome.err());
  }

  @Test
  void badCommandLineIsAUsageError() {
    assertEquals(Main.USAGE, cli("run", "--input", input, "--as-of", "yesterday").code());
    assertEquals(Main.USAGE, cli("run", "--inptu", input).code());
    assertEquals(Main.USAGE, cli("frobnicate").code());
  }
}
