package org.rfmtiers.clv;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.ReturnsPolicy;

/**
 * Per-customer inputs of the CLV models, as in the papers: purchases are counted on distinct days
 * (several orders on one day are one transaction), x = purchase days - 1, t_x = last - first purchase
 * day, T = last observed day (the day before the as-of date) - first purchase day, all in days here;
 * m_x = mean spend of the repeat days (the first day excluded). Day spend follows the returns policy:
 * purchases only, or net of returns booked on a purchase day.
 */
public final class ClvInputs {
  public static final String REPEAT_PURCHASE_DAYS = "repeat_purchase_days";
  public static final String T_X_DAYS = "t_x_days";
  public static final String T_DAYS = "t_days";
  public static final String REPEAT_AVG_VALUE = "repeat_avg_value";
  /** Spend of all purchase days, per the returns policy (returns on days without a purchase excluded). */
  public static final String DAY_SPEND = "purchase_day_spend";
  /** Spend of the first purchase day. */
  public static final String FIRST_DAY_SPEND = "first_day_spend";
  /** Sums of amounts: wide enough for any total of decimal(18, s) amounts, any scale up to 18. */
  public static final org.apache.spark.sql.types.DataType SPEND = org.apache.spark.sql.types.DataTypes.createDecimalType(38, 18);

  private final LocalDate asOf;
  private final ReturnsPolicy policy;

  public ClvInputs(LocalDate asOf, ReturnsPolicy policy) {
    this.asOf = asOf;
    this.policy = policy;
  }

  /** @param transactions valid rows before the as-of date: customer_id, order_date, amount, is_return */
  public Dataset<Row> apply(Dataset<Row> transactions) {
    return inputs(daySums(transactions));
  }

  /**
   * Per customer with a purchase: first and last purchase date, purchase days, and the spend of all
   * purchase days ({@link #DAY_SPEND}) and of the first one ({@link #FIRST_DAY_SPEND}), at full decimal
   * precision. These do not depend on the as-of date, so they can be kept and reused by a later run.
   */
  public Dataset<Row> daySums(Dataset<Row> transactions) {
    Column counted = policy == ReturnsPolicy.NET ? col(AMOUNT) : when(not(col(IS_RETURN)), col(AMOUNT)).otherwise(lit(0));
    Dataset<Row> days = transactions
        .select(col(CUSTOMER_ID), col(ORDER_DATE), col(AMOUNT), col(IS_RETURN))
        .groupBy(col(CUSTOMER_ID), col(ORDER_DATE))
        .agg(max(not(col(IS_RETURN))).as("has_purchase"), sum(counted).as("day_amount"))
        .filter(col("has_purchase"));
    return days.groupBy(col(CUSTOMER_ID))
        .agg(
            min(col(ORDER_DATE)).as(FIRST_PURCHASE_DATE),
            max(col(ORDER_DATE)).as(LAST_PURCHASE_DATE),
            count(lit(1)).as(PURCHASE_DAYS),
            sum(col("day_amount")).cast(SPEND).as(DAY_SPEND),
            min_by(col("day_amount"), col(ORDER_DATE)).cast(SPEND).as(FIRST_DAY_SPEND));
  }

  /** x, t_x, T and m_x from {@link #daySums} (or any rows with its columns) as of the as-of date. */
  public Dataset<Row> inputs(Dataset<Row> daySums) {
    Column lastObservedDay = lit(java.sql.Date.valueOf(asOf.minusDays(1)));
    return daySums.select(
            col(CUSTOMER_ID),
            col(PURCHASE_DAYS).minus(1).cast("int").as(REPEAT_PURCHASE_DAYS),
            datediff(col(LAST_PURCHASE_DATE), col(FIRST_PURCHASE_DATE)).as(T_X_DAYS),
            datediff(lastObservedDay, col(FIRST_PURCHASE_DATE)).as(T_DAYS),
            when(col(PURCHASE_DAYS).gt(1),
                col(DAY_SPEND).minus(col(FIRST_DAY_SPEND)).cast("double")
                    .divide(col(PURCHASE_DAYS).minus(1)))
                .as(REPEAT_AVG_VALUE));
  }
}
