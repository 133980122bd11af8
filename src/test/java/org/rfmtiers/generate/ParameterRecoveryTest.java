package org.rfmtiers.generate;

import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.clv.BgNbd;
import org.rfmtiers.clv.ClvInputs;
import org.rfmtiers.clv.CustomerLifetimeValue;
import org.rfmtiers.clv.GammaGamma;
import org.rfmtiers.config.SettingsLoader;

/**
 * The generator draws from BG/NBD + Gamma-Gamma: the job's CLV stage (ClvInputs and both fits, in
 * days) fitted on the purchase lines of 20,000 generated customers recovers the generating
 * parameters. Tolerances are about three standard errors at this size. The dropout parameters a and
 * b, and the Gamma-Gamma q and γ, trade off against each other, so they are checked through what
 * they imply: the mean dropout probability a / (a + b) and the mean spend p γ / (q - 1).
 */
class ParameterRecoveryTest {
  @Test
  void theCustomerLifetimeValueFitRecoversTheGeneratingParameters() {
    TransactionGenerator generator = new TransactionGenerator(20_000, 60_000, 3);
    Dataset<Row> lines = TransactionGenerator.typed(generator.generate(SparkTestSession.get()));
    // the purchase lines, as validation keeps them: no return, no broken copy
    Dataset<Row> days =
        lines
            .filter(
                col(ORDER_ID)
                    .startsWith("O")
                    .and(col(CUSTOMER_ID).notEqual(""))
                    .and(col(ORDER_TS).isNotNull())
                    .and(col(AMOUNT).isNotNull()))
            .groupBy(col(CUSTOMER_ID), to_date(col(ORDER_TS)).as(ORDER_DATE))
            .agg(sum(col(AMOUNT)).as("spend"));
    Dataset<Row> daySums =
        days.groupBy(CUSTOMER_ID)
            .agg(
                count(lit(1)).as(PURCHASE_DAYS),
                min(col(ORDER_DATE)).as(FIRST_PURCHASE_DATE),
                max(col(ORDER_DATE)).as(LAST_PURCHASE_DATE),
                sum(col("spend")).as(DAY_SPEND),
                min_by(col("spend"), col(ORDER_DATE)).as(FIRST_DAY_SPEND));
    Dataset<Row> inputs =
        new ClvInputs(TransactionGenerator.LAST_DAY.plusDays(1)).inputs(daySums).cache();
    CustomerLifetimeValue.Fits fits =
        new CustomerLifetimeValue(SettingsLoader.load(null, Map.of("clv.time-unit", "days")).clv())
            .fit(inputs);
    inputs.unpersist();

    TransactionGenerator.Parameters truth = generator.parameters();
    BgNbd bg = fits.bgNbd().model();
    GammaGamma gg = fits.gammaGamma().model();
    String fitted = "fit " + bg + " " + gg + " truth " + truth;
    assertEquals(truth.r(), bg.r(), 0.10 * truth.r(), "r: " + fitted);
    assertEquals(truth.alpha(), bg.alpha(), 0.15 * truth.alpha(), "alpha: " + fitted);
    double meanDropout = truth.a() / (truth.a() + truth.b());
    assertEquals(
        meanDropout, bg.a() / (bg.a() + bg.b()), 0.15 * meanDropout, "a / (a + b): " + fitted);
    assertEquals(truth.p(), gg.p(), 0.15 * truth.p(), "p: " + fitted);
    double meanSpend = truth.p() * truth.gamma() / (truth.q() - 1);
    assertEquals(
        meanSpend, gg.p() * gg.gamma() / (gg.q() - 1), 0.10 * meanSpend, "mean spend: " + fitted);
  }
}
