package org.rfmtiers.clv;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;
import static org.rfmtiers.Columns.CUSTOMER_ID;
import static org.rfmtiers.clv.ClvInputs.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rfmtiers.config.ClvSettings;

/**
 * Fits BG/NBD and Gamma-Gamma on the per-customer {@link ClvInputs} and predicts, per customer:
 * P(alive), expected purchases in the next time unit and over the horizon, the expected spend per
 * purchase, and the discounted CLV.
 *
 * <p>CLV = margin x sum over months i of (E[Y(t_i)] - E[Y(t_(i-1))]) x E[M] / (1 + d)^(t_i in
 * years), with t_i the end of month i (the last step cut at the horizon) and d the annual discount
 * rate: discounted expected transactions times expected value, as in lifetimes'
 * customer_lifetime_value.
 *
 * <p>The per-customer predictions need the hypergeometric series, which no Spark built-in
 * expresses, so they run as one Java UDF per customer with the fitted parameters captured (four
 * doubles each).
 */
public final class CustomerLifetimeValue {

  private final ClvSettings settings;

  public CustomerLifetimeValue(ClvSettings settings) {
    this.settings = settings;
  }

  public static String expectedPurchasesColumn(ClvSettings.Horizon horizon) {
    return EXPECTED_PURCHASES_PREFIX + horizon.label();
  }

  public static String clvColumn(ClvSettings.Horizon horizon) {
    return CLV_PREFIX + horizon.label();
  }

  /**
   * @param inputs the output of {@link ClvInputs}
   */
  public ClvResult apply(Dataset<Row> inputs) {
    Row counts =
        inputs.agg(count(lit(1)), count(when(col(REPEAT_PURCHASE_DAYS).gt(0), lit(1)))).head();
    long customers = counts.getLong(0);
    long repeaters = counts.getLong(1);
    if (customers < settings.minCustomers() || repeaters < settings.minRepeatCustomers()) {
      return ClvResult.skipped(
          "CLV skipped: "
              + customers
              + " customers and "
              + repeaters
              + " repeat buyers, fewer than clv.min-customers = "
              + settings.minCustomers()
              + " or clv.min-repeat-customers = "
              + settings.minRepeatCustomers());
    }
    Fits fits = fit(inputs);
    return new ClvResult(
        Optional.of(predict(inputs, fits.bgNbd().model(), fits.gammaGamma().model())),
        Optional.of(fits.bgNbd()),
        Optional.of(fits.gammaGamma()),
        fits.millis(),
        List.of());
  }

  /** Both converged fits and the wall time they took. */
  public record Fits(ModelFit<BgNbd> bgNbd, ModelFit<GammaGamma> gammaGamma, long millis) {}

  /**
   * Fits both models on {@link ClvInputs}; throws {@link ClvFitException} for a fit that did not
   * converge or whose predictions would be undefined.
   */
  public Fits fit(Dataset<Row> inputs) {
    long start = System.nanoTime();
    double unit = settings.timeUnit().days();
    ModelFit<BgNbd> bgNbd =
        BgNbdFitter.fit(bgNbdGroups(inputs, unit), settings.penalizer(), settings.maxEvaluations());
    require(bgNbd, "BG/NBD");
    // E[Y(t)] divides by (a - 1): a < 1 is legitimate (the CDNOW fit has a = 0.79), a = 1 is not.
    if (Math.abs(bgNbd.model().a() - 1) < 1e-6) {
      throw new ClvFitException("BG/NBD fit has a = 1, where expected purchases are undefined");
    }
    ModelFit<GammaGamma> gammaGamma =
        GammaGammaFitter.fit(
            gammaGammaGroups(inputs), settings.penalizer(), settings.maxEvaluations());
    require(gammaGamma, "Gamma-Gamma");
    if (!(gammaGamma.model().q() > 1)) {
      throw new ClvFitException(
          "Gamma-Gamma fit has q = "
              + gammaGamma.model().q()
              + " <= 1, so the mean spend is undefined; try clv.penalizer = 0.001");
    }
    return new Fits(bgNbd, gammaGamma, (System.nanoTime() - start) / 1_000_000);
  }

  private static void require(ModelFit<?> fit, String name) {
    if (!fit.converged()) {
      throw new ClvFitException(
          name + " fit did not converge: " + fit.problem() + "; nothing was published");
    }
  }

  private BgNbdFitter.Groups bgNbdGroups(Dataset<Row> inputs, double unit) {
    List<Row> rows =
        boundedCollect(
            inputs.groupBy(REPEAT_PURCHASE_DAYS, T_X_DAYS, T_DAYS).count(), "(x, t_x, T)");
    int n = rows.size();
    int[] x = new int[n];
    double[] tx = new double[n];
    double[] t = new double[n];
    long[] count = new long[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      x[i] = r.getInt(0);
      tx[i] = r.getInt(1) / unit;
      t[i] = r.getInt(2) / unit;
      count[i] = r.getLong(3);
    }
    return new BgNbdFitter.Groups(x, tx, t, count);
  }

  private GammaGammaFitter.Groups gammaGammaGroups(Dataset<Row> inputs) {
    List<Row> rows =
        boundedCollect(
            inputs
                .filter(col(REPEAT_PURCHASE_DAYS).gt(0).and(col(REPEAT_AVG_VALUE).gt(0)))
                .groupBy(REPEAT_PURCHASE_DAYS, REPEAT_AVG_VALUE)
                .count(),
            "(x, m_x)");
    int n = rows.size();
    int[] x = new int[n];
    double[] m = new double[n];
    long[] count = new long[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      x[i] = r.getInt(0);
      m[i] = r.getDouble(1);
      count[i] = r.getLong(2);
    }
    return new GammaGammaFitter.Groups(x, m, count);
  }

  /** Sufficient-statistic groups reach the driver only up to clv.max-groups of them. */
  private List<Row> boundedCollect(Dataset<Row> groups, String what) {
    // sorted so the fit sums in the same order on every run
    List<Row> rows =
        groups
            .orderBy(
                groups.columns()[0],
                Arrays.copyOfRange(groups.columns(), 1, groups.columns().length))
            .limit((int) Math.min(Integer.MAX_VALUE - 1, settings.maxGroups() + 1))
            .collectAsList();
    if (rows.size() > settings.maxGroups()) {
      throw new ClvFitException(
          "more than clv.max-groups = "
              + settings.maxGroups()
              + " distinct "
              + what
              + " groups to fit on the driver; raise it (about 40 bytes each) with more driver memory");
    }
    return rows;
  }

  /**
   * Probabilities alive below this are written as 0: 1.3e-132 is no information a BI user can act
   * on, only noise in a chart's axis.
   */
  static final double P_ALIVE_FLOOR = 1e-12;

  private Dataset<Row> predict(Dataset<Row> inputs, BgNbd bgNbd, GammaGamma gammaGamma) {
    double unit = settings.timeUnit().days();
    double horizon = settings.horizon().days() / unit;
    double month = 365.25 / 12 / unit;
    double unitsPerYear = 365.25 / unit;
    double discount = settings.annualDiscountRate();
    double margin = settings.margin();
    StructType type =
        new StructType()
            .add(P_ALIVE, DataTypes.DoubleType)
            .add(EXPECTED_NEXT, DataTypes.DoubleType)
            .add(expectedPurchasesColumn(settings.horizon()), DataTypes.DoubleType)
            .add(EXPECTED_AOV, DataTypes.DoubleType)
            .add(clvColumn(settings.horizon()), DataTypes.DoubleType);
    UDF4<Integer, Integer, Integer, Double, Row> predictor =
        (xDays, txDays, tDays, meanValue) -> {
          double x = xDays;
          double tx = txDays / unit;
          double t = tDays / unit;
          double value =
              gammaGamma.conditionalExpectedValue(
                  x, meanValue == null || meanValue <= 0 ? 0 : meanValue);
          if (x > 0 && (meanValue == null || meanValue <= 0)) {
            value =
                gammaGamma
                    .populationMean(); // repeat days with no spend: fall back to the population
          }
          double clv = 0;
          double previous = 0;
          int steps = (int) Math.ceil(horizon / month - 1e-9);
          for (int i = 1; i <= steps; i++) {
            double end = Math.min(i * month, horizon);
            double cumulative = bgNbd.expectedPurchases(end, x, tx, t);
            clv += (cumulative - previous) * value / Math.pow(1 + discount, end / unitsPerYear);
            previous = cumulative;
          }
          double alive = bgNbd.probabilityAlive(x, tx, t);
          return RowFactory.create(
              alive < P_ALIVE_FLOOR ? 0.0 : alive,
              bgNbd.expectedPurchases(1.0, x, tx, t),
              previous,
              value,
              margin * clv);
        };
    UserDefinedFunction udf = udf(predictor, type);
    Column prediction =
        udf.apply(col(REPEAT_PURCHASE_DAYS), col(T_X_DAYS), col(T_DAYS), col(REPEAT_AVG_VALUE));
    List<Column> columns =
        new ArrayList<>(
            List.of(
                col(CUSTOMER_ID),
                col(REPEAT_PURCHASE_DAYS),
                col(T_X_DAYS).divide(unit).as(TIME_TO_LAST_PURCHASE),
                col(T_DAYS).divide(unit).as(CUSTOMER_AGE),
                col(REPEAT_AVG_VALUE)));
    for (String field : type.fieldNames()) {
      columns.add(col("prediction").getField(field).as(field));
    }
    columns.add(lit(settings.timeUnit().label()).as(TIME_UNIT));
    return inputs.withColumn("prediction", prediction).select(columns.toArray(Column[]::new));
  }
}
