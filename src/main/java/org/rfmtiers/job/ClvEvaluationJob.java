package org.rfmtiers.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.rfmtiers.Columns.*;

import java.io.PrintStream;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.rfmtiers.clv.BgNbd;
import org.rfmtiers.clv.ClvFitException;
import org.rfmtiers.clv.ClvInputs;
import org.rfmtiers.clv.CustomerLifetimeValue;
import org.rfmtiers.clv.GammaGamma;
import org.rfmtiers.clv.HoldoutEvaluation;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.features.RfmFeatures;
import org.rfmtiers.ingest.RawTransactions;
import org.rfmtiers.ingest.TransactionSource;
import org.rfmtiers.ingest.ValidatedLines;

/**
 * {@code evaluate-clv}: fits the CLV models on a calibration period and prints how well they
 * predict the holdout period that follows. Reads and validates the log like the nightly run; writes
 * nothing.
 */
public final class ClvEvaluationJob {
  private final SparkSession spark;
  private final JobSettings settings;
  private final Clock clock;

  public ClvEvaluationJob(SparkSession spark, JobSettings settings, Clock clock) {
    this.spark = spark;
    this.settings = settings;
    this.clock = clock;
  }

  public void run(
      String inputUri, LocalDate calibrationEnd, LocalDate observationEnd, PrintStream out) {
    ZoneId zone = ZoneId.of(settings.input().timeZone());
    spark.conf().set("spark.sql.session.timeZone", zone.getId());
    RawTransactions raw = new TransactionSource(spark, settings.input()).read(inputUri);
    Dataset<Row> valid =
        ValidatedLines.pack(
                settings.input(),
                settings.validation(),
                raw,
                LocalDate.now(clock.withZone(zone)),
                false)
            .filter(col(REJECT_REASON).isNull())
            .select(CUSTOMER_ID, ORDER_ID, ORDER_DATE, AMOUNT, IS_RETURN)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      LocalDate asOf = calibrationEnd.plusDays(1);
      Dataset<Row> sums =
          RfmFeatures.of(settings, asOf).aggregate(valid.filter(col(ORDER_DATE).lt(day(asOf))));
      Dataset<Row> calibration =
          new ClvInputs(asOf)
              .inputs(RfmFeatures.purchasers(sums))
              .persist(StorageLevel.MEMORY_AND_DISK());
      CustomerLifetimeValue.Fits fits;
      try {
        fits = new CustomerLifetimeValue(settings.clv()).fit(calibration);
      } catch (ClvFitException e) {
        throw new JobFailure(e.getMessage());
      }
      HoldoutEvaluation evaluation =
          new HoldoutEvaluation(calibrationEnd, observationEnd, settings.clv().timeUnit().days());
      HoldoutEvaluation.Report report = evaluation.apply(calibration, valid, fits.bgNbd().model());
      print(out, fits, evaluation, report, calibrationEnd, observationEnd);
      calibration.unpersist();
    } finally {
      valid.unpersist();
    }
  }

  private static Column day(LocalDate date) {
    return lit(Date.valueOf(date));
  }

  private void print(
      PrintStream out,
      CustomerLifetimeValue.Fits fits,
      HoldoutEvaluation evaluation,
      HoldoutEvaluation.Report report,
      LocalDate calibrationEnd,
      LocalDate observationEnd) {
    BgNbd bg = fits.bgNbd().model();
    GammaGamma gg = fits.gammaGamma().model();
    String unit = settings.clv().timeUnit().label();
    out.printf(
        Locale.ROOT,
        "calibration: up to %s; holdout: %s .. %s (%.2f %s)%n",
        calibrationEnd,
        calibrationEnd.plusDays(1),
        observationEnd,
        evaluation.holdoutLength(),
        unit);
    out.printf(
        Locale.ROOT,
        "BG/NBD      r=%.4f alpha=%.4f a=%.4f b=%.4f  LL=%.2f  (%d customers, %d evaluations)%n",
        bg.r(),
        bg.alpha(),
        bg.a(),
        bg.b(),
        fits.bgNbd().logLikelihood(),
        fits.bgNbd().customers(),
        fits.bgNbd().evaluations());
    out.printf(
        Locale.ROOT,
        "Gamma-Gamma p=%.4f q=%.4f gamma=%.4f  LL=%.2f  (%d repeat buyers)%n",
        gg.p(),
        gg.q(),
        gg.gamma(),
        fits.gammaGamma().logLikelihood(),
        fits.gammaGamma().customers());
    out.printf(Locale.ROOT, "fit time %d ms%n%n", fits.millis());
    out.println("repeat purchases in the holdout, by repeat purchases in calibration");
    out.printf(
        Locale.ROOT,
        "  %-10s %10s %12s %12s%n",
        "x (calib)",
        "customers",
        "actual mean",
        "predicted");
    for (Row r : report.byBucket()) {
      int bucket = r.getInt(0);
      String label =
          bucket == HoldoutEvaluation.LAST_BUCKET ? bucket + "+" : String.valueOf(bucket);
      out.printf(
          Locale.ROOT,
          "  %-10s %10d %12.3f %12.3f%n",
          label,
          r.getLong(1),
          r.getDouble(2),
          r.getDouble(3));
    }
    Row o = report.overall();
    double actual = o.getDouble(1);
    double predicted = o.getDouble(2);
    out.printf(
        Locale.ROOT,
        "%n  total      %10d %12.1f %12.1f   (predicted / actual = %.3f)%n",
        o.getLong(0),
        actual,
        predicted,
        predicted / actual);
    out.printf(
        Locale.ROOT,
        "  MAE per customer %.4f, correlation %.4f%n",
        o.getDouble(3),
        o.isNullAt(4) ? Double.NaN : o.getDouble(4));
  }
}
