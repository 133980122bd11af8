package org.rfmtiers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.rfmtiers.generate.TransactionGenerator;

/**
 * One warehouse written by the real CLI, two snapshots of a generated log, shared by the tests that
 * only read what a run wrote (notebook SQL, the HTML report): built once per test JVM. The log has
 * one extra customer whose id is markup, and tier 1's name is markup, to prove the report escapes
 * data.
 */
public final class GeneratedWarehouse {
  public static final List<String> SNAPSHOTS = List.of("2025-07-01", "2026-01-01");
  public static final String HOSTILE_CUSTOMER = "<script>alert(1)</script>";
  public static final String HOSTILE_TIER_NAME = "<img src=x onerror=alert(1)>Champions";
  private static GeneratedWarehouse instance;

  public final Path dir;
  public final String input;
  public final String warehouse;

  private GeneratedWarehouse(Path dir) {
    this.dir = dir;
    this.input = dir.resolve("log").toString();
    this.warehouse = dir.resolve("warehouse").toString();
  }

  public static synchronized GeneratedWarehouse get() {
    if (instance == null) {
      try {
        Path dir = Files.createTempDirectory("rfm-warehouse");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir.toFile())));
        instance = new GeneratedWarehouse(dir);
        instance.write();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  private static void delete(File file) {
    File[] children = file.listFiles();
    if (children != null) {
      for (File child : children) {
        delete(child);
      }
    }
    file.delete();
  }

  private void write() throws IOException {
    new TransactionGenerator(200, 5_000, 9).write(SparkTestSession.get(), input, "csv");
    // the generated CSV's columns: customer_id, order_id, order_ts, quantity, unit_price, amount
    Files.writeString(
        Path.of(input, "hostile.csv"),
        "customer_id,order_id,order_ts,quantity,unit_price,amount\n"
            + HOSTILE_CUSTOMER
            + ",H1,2025-03-01 10:00:00,1,99999.00,99999.00\n");
    for (String asOf : SNAPSHOTS) {
      CliRunner.Outcome outcome =
          CliRunner.run(
              "run",
              "--input",
              input,
              "--warehouse",
              warehouse,
              "--as-of",
              asOf,
              "--set",
              "input.cancellation.order-id-prefix=C",
              "--set",
              "clv.min-customers=50",
              "--set",
              "tiers.naming=rank",
              "--set",
              "tiers.names=[\""
                  + HOSTILE_TIER_NAME
                  + "\", Loyal, Potential, Promising, \"At Risk\", Dormant]");
      assertEquals(0, outcome.code(), outcome.err());
    }
  }
}
