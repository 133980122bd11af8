package org.rfmtiers.incremental;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.CliRunner;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.generate.TransactionGenerator;

/**
 * run --incremental against a full recompute on the same files, snapshot by snapshot: a generated log
 * split into a history file and two nightly files, where the nightly files also carry late lines (dated
 * weeks or years back, some belonging to orders already loaded, some of them returns) and the history
 * file already holds lines dated after its snapshot. Every column of customer_rfm and customer_clv
 * (run_id aside) must be equal.
 */
@Tag("integration")
class IncrementalRunTest {
  private static final LocalDate D1 = LocalDate.of(2025, 6, 1);
  private static final String HEADER = "customer_id,order_id,order_ts,quantity,unit_price,amount";
  private static final String[] SETTINGS = {
      "--set", "input.columns.quantity=quantity", "--set", "input.columns.unit-price=unit_price",
      "--set", "input.cancellation.order-id-prefix=C", "--set", "clv.min-customers=50",
      "--set", "report.enabled=false"};

  private static SparkSession spark;
  private static List<String> history;
  private static List<String> day1;
  private static List<String> day2;

  @BeforeAll
  static void split() {
    spark = SparkTestSession.get();
    history = new ArrayList<>();
    day1 = new ArrayList<>();
    day2 = new ArrayList<>();
    List<Row> rows = new TransactionGenerator(400, 12_000, 5).generate(spark).collectAsList();
    Set<String> historyOrders = new HashSet<>();
    int lateLinesOfLoadedOrders = 0;
    int lateReturns = 0;
    List<String[]> late = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String line = String.join(",", r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
          r.getString(5));
      LocalDate date = r.getString(2).startsWith("20") ? LocalDate.parse(r.getString(2).substring(0, 10)) : D1.minusYears(1);
      if (date.isBefore(D1) && i % 37 == 5) {
        late.add(new String[] {line, r.getString(1)});
      } else if (date.isBefore(D1) || (date.equals(D1) && i % 2 == 0) || (date.isAfter(D1.plusDays(1)) && i % 3 == 0)) {
        history.add(line);
        historyOrders.add(r.getString(1));
      } else if (date.equals(D1)) {
        day1.add(line);
      } else if (date.equals(D1.plusDays(1))) {
        day2.add(line);
      }
    }
    for (int i = 0; i < late.size(); i++) {
      (i % 2 == 0 ? day1 : day2).add(late.get(i)[0]);
      lateLinesOfLoadedOrders += historyOrders.contains(late.get(i)[1]) ? 1 : 0;
      lateReturns += late.get(i)[1].startsWith("C") ? 1 : 0;
    }
    // the split exercises what it claims to
    assertTrue(lateLinesOfLoadedOrders > 0, "a late line of an order already loaded");
    assertTrue(lateReturns > 0, "a late return");
    assertTrue(late.size() > 100, "late lines: " + late.size());
  }

  @Test
  void incrementalRunsEqualFullRecomputes(@TempDir Path dir) throws IOException {
    Path input = Files.createDirectories(dir.resolve("log"));
    String incremental = dir.resolve("incremental").toString();
    String full = dir.resolve("full").toString();
    write(input.resolve("history.csv"), history);

    List<LocalDate> snapshots = List.of(D1, D1.plusDays(1), D1.plusDays(2));
    for (int night = 0; night < snapshots.size(); night++) {
      if (night == 1) {
        write(input.resolve("day-1.csv"), day1);
      } else if (night == 2) {
        write(input.resolve("day-2.csv"), day2);
      }
      CliRunner.Outcome inc = run(input, incremental, snapshots.get(night), true);
      if (night == 0) {
        // the first incremental run is a full one: the full warehouse starts as its copy
        assertTrue(inc.out().contains("(full; incremental state rebuilt: no incremental state yet)"), inc.out());
        copy(Path.of(incremental), Path.of(full));
        continue;
      }
      CliRunner.Outcome all = run(input, full, snapshots.get(night), false);
      assertTrue(inc.out().contains("(incremental: 1 new file(s) folded into the state of " + snapshots.get(night - 1)
          + ")"), inc.out());
      assertTrue(all.out().contains("(full)"), all.out());
      for (String table : List.of("customer_rfm", "customer_clv", "tier_summary", "score_thresholds")) {
        assertSameSnapshot(table, incremental, full, snapshots.get(night));
      }
    }
    // the incremental run read only the new file; its totals still reconcile against the whole state
    Row last = spark.read().format("delta").load(incremental + "/run_log").orderBy(col("started_at").desc()).head();
    Row lastFull = spark.read().format("delta").load(full + "/run_log").orderBy(col("started_at").desc()).head();
    assertEquals(day2.size(), last.<Long>getAs("rows_read"));
    assertEquals(lastFull.<java.math.BigDecimal>getAs("valid_amount"), last.<java.math.BigDecimal>getAs("valid_amount"));
    assertEquals(lastFull.<Long>getAs("rows_after_as_of"), last.<Long>getAs("rows_after_as_of"));
    assertEquals(Boolean.TRUE, last.getAs("reconciled"));

    // a run that died after its MERGE folds the same file again: its rows are replaced, not added
    org.rfmtiers.output.DeltaTables tables = new org.rfmtiers.output.DeltaTables(spark, incremental);
    IncrementalState state = new IncrementalState(spark, tables, 2);
    Row before = totals(tables);
    String day2File = org.rfmtiers.ingest.TransactionSource.sourceFileName(input.resolve("day-2.csv").toUri().toString());
    Dataset<Row> folded = state.lines(List.of(day2File));
    Dataset<Row> again = spark.createDataFrame(folded.collectAsList(), folded.schema());
    state.fold(again, List.of(day2File));
    assertEquals(before, totals(tables));
    assertTrue(before.getLong(0) > 0);

    // a file changed after it was folded: the next incremental run rebuilds the state
    write(input.resolve("history.csv"), history.subList(0, history.size() - 1));
    CliRunner.Outcome rebuilt = run(input, incremental, D1.plusDays(2), true);
    assertTrue(rebuilt.out().contains("(full; incremental state rebuilt: file ") && rebuilt.out().contains(
        "history.csv changed since it was folded into the state)"), rebuilt.out());
  }

  private static Row totals(org.rfmtiers.output.DeltaTables tables) {
    return tables.read("state_lines").agg(org.apache.spark.sql.functions.count(lit(1)),
        org.apache.spark.sql.functions.sum("lines"), org.apache.spark.sql.functions.sum("amount")).head();
  }

  private static CliRunner.Outcome run(Path input, String warehouse, LocalDate asOf, boolean incremental) {
    List<String> args = new ArrayList<>(List.of("run", "--input", input.toString(), "--warehouse", warehouse,
        "--as-of", asOf.toString()));
    args.addAll(List.of(SETTINGS));
    if (incremental) {
      args.add("--incremental");
    }
    CliRunner.Outcome outcome = CliRunner.run(args.toArray(String[]::new));
    assertEquals(0, outcome.code(), outcome.err());
    return outcome;
  }

  private static void assertSameSnapshot(String table, String incremental, String full, LocalDate snapshot) {
    Dataset<Row> a = snapshot(incremental, table, snapshot);
    Dataset<Row> b = snapshot(full, table, snapshot);
    long rows = b.count();
    assertTrue(rows > 0, table + " " + snapshot + " is empty");
    assertEquals(rows, a.count(), table + " " + snapshot + " rows");
    assertEquals(List.of(), a.exceptAll(b).limit(5).collectAsList(), table + " " + snapshot + ": incremental rows not in full");
    assertEquals(List.of(), b.exceptAll(a).limit(5).collectAsList(), table + " " + snapshot + ": full rows not in incremental");
  }

  private static Dataset<Row> snapshot(String warehouse, String table, LocalDate snapshot) {
    return spark.read().format("delta").load(warehouse + "/" + table)
        .filter(col("snapshot_date").equalTo(lit(java.sql.Date.valueOf(snapshot)))).drop("run_id");
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  private static void write(Path file, List<String> lines) throws IOException {
    List<String> all = new ArrayList<>();
    all.add(HEADER);
    all.addAll(lines);
    Files.write(file, all);
  }
}
