package org.rfmtiers.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.cli.Main;

/**
 * The generator draws from BG/NBD + Gamma-Gamma: the job's own fit of 20,000 generated customers
 * recovers the generating parameters. Tolerances are about three standard errors at this size (the
 * dropout parameters a and b, and the Gamma-Gamma q and γ, trade off against each other, so they
 * are checked through what they imply: the mean dropout probability a / (a + b) and the mean spend
 * p γ / (q - 1)).
 */
@Tag("integration")
class ParameterRecoveryTest {
  @TempDir Path dir;

  @Test
  void theJobsFitRecoversTheGeneratingParameters() {
    TransactionGenerator generator = new TransactionGenerator(20_000, 60_000, 3);
    String input = dir.resolve("log").toString();
    generator.write(SparkTestSession.get(), input, "csv");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            new String[] {
              "run",
              "--input",
              input,
              "--warehouse",
              dir.resolve("warehouse").toString(),
              "--as-of",
              TransactionGenerator.LAST_DAY.plusDays(1).toString(),
              "--set",
              "input.cancellation.order-id-prefix=C",
              "--set",
              "clv.time-unit=days",
              "--set",
              "report.enabled=false"
            },
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    Row fit =
        SparkTestSession.get()
            .read()
            .format("delta")
            .load(dir.resolve("warehouse/clv_model").toString())
            .head();
    TransactionGenerator.Parameters truth = generator.parameters();
    double r = fit.getAs("r");
    double alpha = fit.getAs("alpha");
    double a = fit.getAs("a");
    double b = fit.getAs("b");
    String fitted = "fit " + fit + " truth " + truth;
    assertEquals(truth.r(), r, 0.10 * truth.r(), "r: " + fitted);
    assertEquals(truth.alpha(), alpha, 0.15 * truth.alpha(), "alpha: " + fitted);
    double meanDropout = truth.a() / (truth.a() + truth.b());
    assertEquals(meanDropout, a / (a + b), 0.15 * meanDropout, "a / (a + b): " + fitted);
    double p = fit.getAs("p");
    double q = fit.getAs("q");
    double gamma = fit.getAs("gamma");
    assertEquals(truth.p(), p, 0.15 * truth.p(), "p: " + fitted);
    double meanSpend = truth.p() * truth.gamma() / (truth.q() - 1);
    assertEquals(meanSpend, p * gamma / (q - 1), 0.10 * meanSpend, "mean spend: " + fitted);
  }
}
