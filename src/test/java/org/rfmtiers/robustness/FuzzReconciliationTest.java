package org.rfmtiers.robustness;

import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.CliRunner;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.TestRows;
import org.rfmtiers.generate.TransactionGenerator;

/**
 * Feeds randomly corrupted logs through the CLI and checks the invariants: every line is read,
 * every row read is either valid or rejected (with a reject row), and the valid amounts reconcile
 * with monetary.
 */
@Tag("integration")
class FuzzReconciliationTest {
  @TempDir Path dir;

  private static final String[] BAD_AMOUNTS = {
    "NaN",
    "Infinity",
    "1e400",
    "12,50",
    "",
    "  ",
    "abc",
    "99999999999999999999.99",
    "1.2345",
    "-7.25",
    "0",
    "-0",
    "1e2",
    "0x1F"
  };
  private static final String[] BAD_TIMESTAMPS = {
    "2024-02-30 10:00:00",
    "",
    "0000-01-01 00:00:00",
    "3024-01-01 00:00:00",
    "1850-06-01 12:00:00",
    "2024-13-01 00:00:00",
    "2025-06-01",
    "yesterday"
  };
  private static final String[] BAD_IDS = {
    "", "   ", "客户-🙂", "x".repeat(600), "\"quoted\"", "A\tB"
  };

  /** One corruption of a CSV line (customer_id,order_id,order_ts,quantity,unit_price,amount). */
  private static List<String> corrupt(String line, Random random) {
    String[] f = line.split(",", -1);
    switch (random.nextInt(8)) {
      case 0 -> f[5] = BAD_AMOUNTS[random.nextInt(BAD_AMOUNTS.length)];
      case 1 -> f[2] = BAD_TIMESTAMPS[random.nextInt(BAD_TIMESTAMPS.length)];
      case 2 -> f[0] = BAD_IDS[random.nextInt(BAD_IDS.length)];
      case 3 -> {
        return List.of(String.join(",", Arrays.copyOf(f, 3 + random.nextInt(2))));
      }
      case 4 -> {
        return List.of(line + ",surplus");
      }
      case 5 -> f[1] = "\"" + f[1]; // unbalanced quote
      case 6 -> {
        return List.of(line, line); // duplicated line: without a line id, two lines
      }
      default -> f[5] = f[5].startsWith("-") ? f[5].substring(1) : "-" + f[5];
    }
    return List.of(String.join(",", f));
  }

  @Test
  void corruptedLogsReconcile() throws Exception {
    SparkSession spark = SparkTestSession.get();
    List<Row> rows =
        new TransactionGenerator(150, 2_500, 11)
            .generate(spark)
            .orderBy("order_id", "amount")
            .collectAsList();
    // two corrupted copies of the log (seeds 1 and 2), two files of one input, one run
    Path input = Files.createDirectories(dir.resolve("fuzz"));
    long lineCount = 0;
    for (long seed : new long[] {1, 2}) {
      Random random = new Random(seed);
      List<String> lines = new ArrayList<>();
      for (Row r : rows) {
        String line = TestRows.csvLine(r);
        lines.addAll(random.nextDouble() < 0.15 ? corrupt(line, random) : List.of(line));
      }
      Files.writeString(
          input.resolve("fuzz-" + seed + ".csv"),
          "customer_id,order_id,order_ts,quantity,unit_price,amount\n"
              + String.join("\n", lines)
              + "\n");
      lineCount += lines.size();
    }
    Path warehouse = dir.resolve("wh");
    CliRunner.Outcome outcome =
        CliRunner.run(
            "run",
            "--input",
            input.toString(),
            "--warehouse",
            warehouse.toString(),
            "--set",
            "validation.max-reject-rate=1.0",
            "--set",
            "input.cancellation.order-id-prefix=C",
            "--set",
            "clv.enabled=false",
            "--set",
            "report.enabled=false");
    assertEquals(0, outcome.code(), outcome.err());

    Row log = spark.read().format("delta").load(warehouse.resolve("run_log").toString()).head();
    long read = log.getAs("rows_read");
    assertEquals(lineCount, read, "every line is a row");
    assertEquals(read, log.<Long>getAs("rows_valid") + log.<Long>getAs("rows_rejected"));
    assertEquals(
        log.<Long>getAs("rows_rejected").longValue(),
        spark
            .read()
            .format("delta")
            .load(warehouse.resolve("rejected_transactions").toString())
            .count());
    assertTrue(log.<Boolean>getAs("reconciled"));
    BigDecimal monetary =
        spark
            .read()
            .format("delta")
            .load(warehouse.resolve("customer_rfm").toString())
            .agg(sum("monetary"))
            .head()
            .getDecimal(0);
    assertEquals(log.<BigDecimal>getAs("monetary_total"), monetary);
    // lines whose customer id was blanked are anonymous revenue (input.anonymous = separate)
    BigDecimal anonymous = log.getAs("anonymous_amount");
    assertTrue(log.<Long>getAs("rows_anonymous") > 0, "blanked ids: " + log);
    assertEquals(
        log.<BigDecimal>getAs("valid_amount"),
        monetary.add(anonymous),
        "exclude policy: valid purchases = monetary + anonymous");
    assertTrue(
        log.<Long>getAs("rows_rejected") > 200,
        "the corruptions of both copies were caught: " + log);
  }
}
