package org.rfmtiers.incremental;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.CliRunner;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.ingest.TransactionSource;
import org.rfmtiers.output.DeltaTables;

/**
 * run --incremental against a full recompute on the same files, through the CLI: the history
 * ({@link GeneratedNights}) builds the state, then a nightly file with late lines is folded in.
 * Every column of customer_rfm, customer_clv, tier_summary and score_thresholds (run_id aside) must
 * be equal. The algebra across several nights and moved as-of dates is IncrementalAlgebraTest's;
 * this is the whole job around it: the state lock, the run_log totals, a re-fold after a crash, a
 * rebuild.
 */
@Tag("integration")
@Tag("long")
class IncrementalRunTest {
  private static final LocalDate D1 = GeneratedNights.D1;
  private static final String[] SETTINGS = {
    "--set", "input.columns.quantity=quantity", "--set", "input.columns.unit-price=unit_price",
    "--set", "input.cancellation.order-id-prefix=C", "--set", "clv.min-customers=50",
    "--set", "report.enabled=false"
  };

  private static SparkSession spark;
  private static GeneratedNights nights;

  @BeforeAll
  static void split() {
    spark = SparkTestSession.get();
    nights = new GeneratedNights(spark, 250, 7_500);
  }

  @Test
  void incrementalRunsEqualFullRecomputes(@TempDir Path dir) throws IOException {
    Path input = Files.createDirectories(dir.resolve("log"));
    String incremental = dir.resolve("incremental").toString();
    String full = dir.resolve("full").toString();
    GeneratedNights.write(input.resolve("history.csv"), nights.history);

    // the first incremental run is a full one: the full warehouse starts as its copy
    CliRunner.Outcome first = run(input, incremental, D1, true);
    assertTrue(
        first.out().contains("(full; incremental state rebuilt: no incremental state yet)"),
        first.out());
    copy(Path.of(incremental), Path.of(full));

    GeneratedNights.write(input.resolve("day-1.csv"), nights.day1);
    LocalDate next = D1.plusDays(1);
    CliRunner.Outcome inc = run(input, incremental, next, true);
    CliRunner.Outcome all = run(input, full, next, false);
    assertTrue(
        inc.out().contains("(incremental: 1 new file(s) folded into the state of " + D1 + ")"),
        inc.out());
    assertTrue(all.out().contains("(full)"), all.out());
    for (String table :
        List.of("customer_rfm", "customer_clv", "tier_summary", "score_thresholds")) {
      assertSameSnapshot(table, incremental, full, next);
    }
    // the incremental run read only the new file; its totals still reconcile against the whole
    // state
    Row last =
        spark
            .read()
            .format("delta")
            .load(incremental + "/run_log")
            .orderBy(col("started_at").desc())
            .head();
    Row lastFull =
        spark
            .read()
            .format("delta")
            .load(full + "/run_log")
            .orderBy(col("started_at").desc())
            .head();
    assertEquals(nights.day1.size(), last.<Long>getAs("rows_read"));
    assertEquals(
        lastFull.<BigDecimal>getAs("valid_amount"), last.<BigDecimal>getAs("valid_amount"));
    assertEquals(lastFull.<Long>getAs("rows_after_as_of"), last.<Long>getAs("rows_after_as_of"));
    assertEquals(Boolean.TRUE, last.getAs("reconciled"));
    assertTrue(last.getJavaMap(last.fieldIndex("stage_ms")).containsKey("state-commit"));

    // a run that died after its MERGE folds the same file again: its rows are replaced, not added
    DeltaTables tables = new DeltaTables(spark, incremental);
    IncrementalState state = new IncrementalState(spark, tables, 2);
    Row before = totals(tables);
    String day1File =
        TransactionSource.sourceFileName(input.resolve("day-1.csv").toUri().toString());
    Dataset<Row> folded = state.lines(List.of(day1File));
    Dataset<Row> again = spark.createDataFrame(folded.collectAsList(), folded.schema());
    state.fold(again, List.of(day1File));
    assertEquals(before, totals(tables));
    assertTrue(before.getLong(0) > 0);

    // a file changed after it was folded: the next incremental run rebuilds the state
    GeneratedNights.write(
        input.resolve("history.csv"), nights.history.subList(0, nights.history.size() - 1));
    CliRunner.Outcome rebuilt = run(input, incremental, next, true);
    assertTrue(
        rebuilt.out().contains("(full; incremental state rebuilt: file ")
            && rebuilt.out().contains("history.csv changed since it was folded into the state)"),
        rebuilt.out());
  }

  private static Row totals(DeltaTables tables) {
    return tables.read("state_lines").agg(count(lit(1)), sum("lines"), sum("amount")).head();
  }

  private static CliRunner.Outcome run(
      Path input, String warehouse, LocalDate asOf, boolean incremental) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--input",
                input.toString(),
                "--warehouse",
                warehouse,
                "--as-of",
                asOf.toString()));
    args.addAll(List.of(SETTINGS));
    if (incremental) {
      args.add("--incremental");
    }
    CliRunner.Outcome outcome = CliRunner.run(args.toArray(String[]::new));
    assertEquals(0, outcome.code(), outcome.err());
    return outcome;
  }

  private static void assertSameSnapshot(
      String table, String incremental, String full, LocalDate snapshot) {
    Dataset<Row> a = snapshot(incremental, table, snapshot);
    Dataset<Row> b = snapshot(full, table, snapshot);
    long rows = b.count();
    assertTrue(rows > 0, table + " " + snapshot + " is empty");
    assertEquals(rows, a.count(), table + " " + snapshot + " rows");
    assertEquals(
        List.of(),
        a.exceptAll(b).limit(5).collectAsList(),
        table + " " + snapshot + ": incremental rows not in full");
    assertEquals(
        List.of(),
        b.exceptAll(a).limit(5).collectAsList(),
        table + " " + snapshot + ": full rows not in incremental");
  }

  private static Dataset<Row> snapshot(String warehouse, String table, LocalDate snapshot) {
    return spark
        .read()
        .format("delta")
        .load(warehouse + "/" + table)
        .filter(col("snapshot_date").equalTo(lit(Date.valueOf(snapshot))))
        .drop("run_id", "tier_model_id", "previous_tier_model_id");
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
