package org.rfmtiers.robustness;

import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.rfmtiers.generate.TransactionGenerator;
import org.rfmtiers.output.Tables;

/**
 * The job in its own JVM, killed with SIGKILL during the write phase, and two runs of one snapshot
 * started together (two threads of the test JVM): afterwards every table is readable, earlier
 * snapshots are exactly as before, a re-run completes the snapshot, and a snapshot is never a mix
 * of two runs. Tagged "crash" as well: a cold child JVM and three runs take over two minutes, so
 * the README's test command leaves it to {@code .ci/run} ({@code mvn -B test -Dtests.excluded=
 * -Dtest=CrashAndConcurrencyTest}).
 */
@Tag("integration")
@Tag("crash")
class CrashAndConcurrencyTest {
  private static final List<String> SNAPSHOT_TABLES = Tables.SNAPSHOT_TABLES;
  private static final String EARLIER = "2025-07-01";
  private static final String LATER = "2026-01-01";
  private static final long CUSTOMERS_GENERATED = 100;

  @TempDir static Path dir;
  static SparkSession spark;
  static String input;

  @BeforeAll
  static void log() {
    spark = SparkTestSession.get();
    input = dir.resolve("log").toString();
    new TransactionGenerator(CUSTOMERS_GENERATED, 2_500, 5).write(spark, input, "csv");
  }

  private static List<String> args(Path warehouse, String asOf) {
    return List.of(
        "run",
        "--input",
        input,
        "--warehouse",
        warehouse.toString(),
        "--as-of",
        asOf,
        "--set",
        "input.cancellation.order-id-prefix=C",
        "--set",
        "clv.min-customers=50",
        "--set",
        "tiers.k=3",
        "--set",
        "report.enabled=false");
  }

  private static Process launch(Path warehouse, String asOf, Path logFile) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    for (String option : Files.readAllLines(Path.of("bin/jvm-options"))) {
      if (!option.isBlank() && !option.startsWith("#")) {
        command.add(option.trim());
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.rfmtiers.cli.Main"));
    command.addAll(args(warehouse, asOf));
    command.addAll(
        List.of(
            "--set",
            "spark.master=local[2]",
            "--set",
            "spark.conf.\"spark.sql.shuffle.partitions\"=2",
            "--set",
            "spark.conf.\"spark.ui.enabled\"=false",
            "--set",
            "spark.conf.\"spark.sql.codegen.wholeStage\"=false",
            "--set",
            "spark.conf.\"spark.sql.codegen.factoryMode\"=NO_CODEGEN"));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
  }

  private static void awaitLine(Path logFile, String text, Process process) throws Exception {
    long deadline = System.currentTimeMillis() + 240_000;
    while (System.currentTimeMillis() < deadline) {
      if (Files.exists(logFile)
          && Files.readString(logFile, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      if (!process.isAlive()) {
        fail("the job ended before \"" + text + "\":\n" + Files.readString(logFile));
      }
      Thread.sleep(50);
    }
    fail("timed out waiting for \"" + text + "\"");
  }

  /** Every snapshot table's rows of one snapshot, as sorted text, to compare snapshots exactly. */
  private static Map<String, List<String>> content(Path warehouse, String snapshot) {
    Map<String, List<String>> content = new TreeMap<>();
    for (String table : SNAPSHOT_TABLES) {
      File path = warehouse.resolve(table).toFile();
      if (path.exists()) {
        content.put(
            table,
            spark
                .read()
                .format("delta")
                .load(path.toString())
                .filter(col(SNAPSHOT_DATE).equalTo(lit(Date.valueOf(snapshot))))
                .toJSON()
                .collectAsList()
                .stream()
                .sorted()
                .toList());
      }
    }
    return content;
  }

  /**
   * The snapshot is complete and comes from one run: one run id across every table, no duplicate
   * customer.
   */
  private static void assertComplete(Path warehouse, String snapshot) {
    List<String> runIds = new ArrayList<>();
    for (String table : SNAPSHOT_TABLES) {
      Dataset<Row> rows =
          spark
              .read()
              .format("delta")
              .load(warehouse.resolve(table).toString())
              .filter(col(SNAPSHOT_DATE).equalTo(lit(Date.valueOf(snapshot))));
      runIds.addAll(rows.select(RUN_ID).distinct().as(Encoders.STRING()).collectAsList());
      assertTrue(rows.count() > 0, table + " has the snapshot");
    }
    assertEquals(
        1, runIds.stream().distinct().count(), "one run wrote the whole snapshot: " + runIds);
    Dataset<Row> customers =
        spark
            .read()
            .format("delta")
            .load(warehouse.resolve("customer_rfm").toString())
            .filter(col(SNAPSHOT_DATE).equalTo(lit(Date.valueOf(snapshot))));
    assertEquals(
        customers.count(), customers.select(CUSTOMER_ID).distinct().count(), "no duplicates");
    assertEquals(CUSTOMERS_GENERATED, customers.count());
  }

  @Test
  void killedDuringTheWritePhaseLosesNothing() throws Exception {
    Path warehouse = dir.resolve("wh-kill");
    assertEquals(0, CliRunner.run(args(warehouse, EARLIER).toArray(String[]::new)).code());
    Map<String, List<String>> before = content(warehouse, EARLIER);
    // kill while the snapshot tables are being written: they are written concurrently and start
    // together, so 400 ms after customer_rfm's log line some commits are done and others are not
    Path logFile = dir.resolve("kill.log");
    Process job = launch(warehouse, LATER, logFile);
    awaitLine(logFile, "table=customer_rfm", job);
    Thread.sleep(400);
    job.destroyForcibly(); // SIGKILL
    assertTrue(job.waitFor(60, TimeUnit.SECONDS));
    for (String table : SNAPSHOT_TABLES) {
      File path = warehouse.resolve(table).toFile();
      if (path.exists()) {
        spark.read().format("delta").load(path.toString()).count(); // readable
      }
    }
    assertEquals(before, content(warehouse, EARLIER), "the earlier snapshot is untouched");
    CliRunner.Outcome rerun = CliRunner.run(args(warehouse, LATER).toArray(String[]::new));
    assertEquals(
        0, rerun.code(), "the re-run takes over the dead run's lock and completes: " + rerun.err());
    assertComplete(warehouse, LATER);
    assertEquals(before, content(warehouse, EARLIER));
  }

  /**
   * Two runs of one snapshot started together on two threads of this JVM: the lock file is the same
   * whichever process holds it, and a holder's process (here this one) is alive, so the second run
   * to reach the write phase waits for nothing and fails, or arrives after the first finished and
   * rewrites the same snapshot.
   */
  @Test
  void twoRunsOfOneSnapshotStartedTogether() throws Exception {
    Path warehouse = dir.resolve("wh-race");
    List<CompletableFuture<CliRunner.Outcome>> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      runs.add(
          CompletableFuture.supplyAsync(
              () -> CliRunner.run(args(warehouse, LATER).toArray(String[]::new))));
    }
    int[] codes = {
      runs.get(0).get(300, TimeUnit.SECONDS).code(), runs.get(1).get(300, TimeUnit.SECONDS).code()
    };
    String[] logs = {runs.get(0).get().err(), runs.get(1).get().err()};
    assertTrue(codes[0] == 0 || codes[1] == 0, "one run succeeds:\n" + logs[0] + "\n" + logs[1]);
    for (int i = 0; i < 2; i++) {
      if (codes[i] != 0) {
        assertEquals(1, codes[i]);
        assertTrue(logs[i].contains("is being written by run"), "the loser says why:\n" + logs[i]);
      }
    }
    assertComplete(warehouse, LATER);
  }
}
