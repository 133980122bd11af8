package org.rfmtiers.clv;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;
import static org.rfmtiers.clv.ClvInputs.*;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.DataTypes;

/**
 * The calibration / holdout validation of the BG/NBD papers: for every customer of the calibration
 * period, repeat purchase days predicted for the holdout period against those observed, in total,
 * by number of calibration repeat purchases (0 .. 7+, the paper's conditional-expectations chart),
 * with the mean absolute error and the correlation per customer.
 */
public final class HoldoutEvaluation {
  /** The buckets of calibration repeat purchases; the last holds that many or more. */
  public static final int LAST_BUCKET = 7;

  private final LocalDate calibrationEnd;
  private final LocalDate observationEnd;
  private final double unitDays;

  /**
   * Both dates inclusive: calibration is up to calibrationEnd, the holdout after it up to
   * observationEnd.
   */
  public HoldoutEvaluation(LocalDate calibrationEnd, LocalDate observationEnd, double unitDays) {
    if (!observationEnd.isAfter(calibrationEnd)) {
      throw new IllegalArgumentException("--observation-end must be after --calibration-end");
    }
    this.calibrationEnd = calibrationEnd;
    this.observationEnd = observationEnd;
    this.unitDays = unitDays;
  }

  /** The holdout length in model time units. */
  public double holdoutLength() {
    return (observationEnd.toEpochDay() - calibrationEnd.toEpochDay()) / unitDays;
  }

  /** Per-bucket and overall figures; at most 9 rows reach the driver. */
  public record Report(List<Row> byBucket, Row overall) {}

  /**
   * @param calibration the {@link ClvInputs} of the calibration period
   * @param transactions valid transactions (customer_id, order_date, is_return) of the whole log
   */
  public Report apply(Dataset<Row> calibration, Dataset<Row> transactions, BgNbd model) {
    Column inHoldout =
        col(ORDER_DATE)
            .gt(lit(Date.valueOf(calibrationEnd)))
            .and(col(ORDER_DATE).leq(lit(Date.valueOf(observationEnd))));
    Dataset<Row> actual =
        transactions
            .filter(inHoldout.and(not(col(IS_RETURN))))
            .groupBy(CUSTOMER_ID)
            .agg(count_distinct(col(ORDER_DATE)).as("actual"));
    double horizon = holdoutLength();
    double unit = unitDays;
    UDF3<Integer, Integer, Integer, Double> predict =
        (x, tx, t) -> model.expectedPurchases(horizon, x, tx / unit, t / unit);
    Dataset<Row> perCustomer =
        calibration
            .withColumn(
                "predicted",
                udf(predict, DataTypes.DoubleType)
                    .apply(col(REPEAT_PURCHASE_DAYS), col(T_X_DAYS), col(T_DAYS)))
            .join(actual, CUSTOMER_ID, "left")
            .withColumn("actual", coalesce(col("actual"), lit(0L)).cast("double"))
            .withColumn("bucket", least(col(REPEAT_PURCHASE_DAYS), lit(LAST_BUCKET)));
    List<Row> byBucket =
        perCustomer
            .groupBy("bucket")
            .agg(
                count(lit(1)).as(CUSTOMERS),
                avg("actual").as("mean_actual"),
                avg("predicted").as("mean_predicted"))
            .orderBy("bucket")
            .collectAsList();
    Row overall =
        perCustomer
            .agg(
                count(lit(1)),
                sum("actual"),
                sum("predicted"),
                avg(abs(col("predicted").minus(col("actual")))),
                corr(col("predicted"), col("actual")))
            .head();
    return new Report(byBucket, overall);
  }
}
