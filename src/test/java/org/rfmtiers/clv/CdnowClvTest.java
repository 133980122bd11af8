package org.rfmtiers.clv;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.WarningCapture;
import org.rfmtiers.cli.Main;

/**
 * The CDNOW 1/10 sample through the normal run command with a config file (input.format = text),
 * calibration 1997-01-01..1997-09-30 (--as-of 1997-10-01), time in weeks: the fits must reproduce
 * the published parameters (BG/NBD: Fader, Hardie & Lee 2005; Gamma-Gamma: Fader & Hardie 2013).
 */
class CdnowClvTest {
  static final String SAMPLE = "src/test/resources/cdnow/CDNOW_sample.txt";
  @TempDir static Path warehouse;
  static SparkSession spark;
  static Row model;
  static List<String> warnings;

  @BeforeAll
  static void runTheJob() {
    spark = SparkTestSession.get();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (WarningCapture capture = new WarningCapture()) {
      int code =
          Main.execute(
              new String[] {
                "run",
                "--config",
                "src/test/resources/cdnow-sample.conf",
                "--input",
                SAMPLE,
                "--warehouse",
                warehouse.toString(),
                "--as-of",
                "1997-10-01",
                "--set",
                "report.enabled=false"
              },
              new PrintStream(new ByteArrayOutputStream()),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
      warnings = capture.lines();
    }
    model = spark.read().format("delta").load(warehouse.resolve("clv_model").toString()).head();
  }

  private static void assertSignificant(double published, double actual, String name) {
    // three significant figures: equal after rounding to the published precision
    double scale = Math.pow(10, Math.floor(Math.log10(Math.abs(published))) - 2);
    assertEquals(published, Math.round(actual / scale) * scale, scale / 2, name + " = " + actual);
  }

  /** Spark, Delta and the job log no warning on a clean run of real data: none of our making. */
  @Test
  void aCleanRunLogsNoWarning() {
    assertEquals(List.of(), warnings);
  }

  @Test
  void bgNbdReproducesThePublishedFit() {
    assertSignificant(0.243, model.getAs("r"), "r");
    assertSignificant(4.414, model.getAs("alpha"), "alpha");
    assertSignificant(0.793, model.getAs("a"), "a");
    assertSignificant(2.426, model.getAs("b"), "b");
    assertEquals(-9582.4, model.<Double>getAs("bgnbd_log_likelihood"), 0.05, "published LL");
    assertEquals(2357L, model.<Long>getAs("bgnbd_customers"));
    assertEquals("weeks", model.getAs("time_unit"));
  }

  @Test
  void gammaGammaReproducesThePublishedFit() {
    assertSignificant(6.25, model.getAs("p"), "p");
    assertSignificant(3.74, model.getAs("q"), "q");
    assertSignificant(15.44, model.getAs("gamma"), "gamma");
    assertEquals(946L, model.<Long>getAs("gg_customers"), "946 repeat buyers");
  }

  @Test
  void perCustomerValuesByHand() {
    Dataset<Row> clv =
        spark.read().format("delta").load(warehouse.resolve("customer_clv").toString()).cache();
    assertEquals(2357, clv.count());
    // Customer 00004: purchases 1997-01-01, 01-18, 08-02 (and one after the calibration period):
    // x = 2, t_x = 213 / 7 = 30.43, T = 272 / 7 = 38.86 weeks, the paper's example customer.
    Row four = clv.filter(col("customer_id").equalTo("00004")).head();
    assertEquals(2, four.<Integer>getAs("repeat_purchase_days"));
    assertEquals(213 / 7.0, four.<Double>getAs("time_to_last_purchase"), 1e-12);
    assertEquals(272 / 7.0, four.<Double>getAs("customer_age"), 1e-12);
    assertEquals(1.226, four.<Double>getAs("expected_purchases_39w"), 0.0005);
    assertEquals(0.7266, four.<Double>getAs("p_alive"), 0.0005);
    // m_x = (29.73 + 14.96) / 2 = 22.345; E[M] = p (gamma + 2 m_x) / (2p + q - 1) = 24.65 at the
    // fitted values
    // money columns are decimals at the money scale (half-up)
    assertEquals(new BigDecimal("22.35"), four.getAs("repeat_avg_value"));
    assertEquals(24.65, four.<BigDecimal>getAs("expected_avg_order_value").doubleValue(), 0.005);

    // A customer with no repeat purchase: alive by assumption, population mean spend p gamma / (q -
    // 1)
    Row once = clv.filter(col("repeat_purchase_days").equalTo(0)).orderBy("customer_id").head();
    assertEquals(1.0, once.<Double>getAs("p_alive"), 0.0);
    assertNull(once.getAs("repeat_avg_value"));
    double p = model.getAs("p");
    double q = model.getAs("q");
    double gamma = model.getAs("gamma");
    assertEquals(
        BigDecimal.valueOf(p * gamma / (q - 1)).setScale(2, RoundingMode.HALF_UP),
        once.getAs("expected_avg_order_value"));
    assertEquals(
        new BigDecimal("35.17"), once.getAs("expected_avg_order_value"), "6.250 x 15.44 / 2.744");
    BgNbd fitted =
        new BgNbd(model.getAs("r"), model.getAs("alpha"), model.getAs("a"), model.getAs("b"));
    assertEquals(
        fitted.expectedPurchases(39, 0, 0, once.<Double>getAs("customer_age")),
        once.<Double>getAs("expected_purchases_39w"),
        1e-12);
    clv.unpersist();
  }

  @Test
  void evaluateClvPrintsTheHoldoutTable() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            new String[] {
              "evaluate-clv",
              "--config",
              "src/test/resources/cdnow-sample.conf",
              "--input",
              SAMPLE,
              "--calibration-end",
              "1997-09-30",
              "--observation-end",
              "1998-06-30"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    assertTrue(text.contains("(39.00 weeks)"), text);
    // 1,411 of the 2,357 customers made no repeat purchase in the calibration period (as in the
    // paper)
    assertTrue(text.matches("(?s).*\\n  0 +1411 .*"), text);
    assertTrue(text.matches("(?s).*\\n  7\\+ +64 .*"), text);
    Matcher total = Pattern.compile("total +2357 +([0-9.]+) +([0-9.]+)").matcher(text);
    assertTrue(total.find(), text);
    double actual = Double.parseDouble(total.group(1));
    double predicted = Double.parseDouble(total.group(2));
    assertTrue(
        Math.abs(predicted / actual - 1) < 0.15, "aggregate holdout forecast within 15 %: " + text);
    assertTrue(text.contains("MAE per customer") && text.contains("correlation"), text);
  }
}
