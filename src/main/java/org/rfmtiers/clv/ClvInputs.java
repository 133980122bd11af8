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

  private final LocalDate asOf;
  private final ReturnsPolicy policy;

  public ClvInputs(LocalDate asOf, ReturnsPolicy policy) {
    this.asOf = asOf;
    this.policy = policy;
  }

  /** @param transactions valid rows before the as-of date: customer_id, order_date, amount, is_return */
  public Dataset<Row> apply(Dataset<Row> transactions) {
    Column counted = policy == ReturnsPolicy.NET ? col(AMOUNT) : when(not(col(IS_RETURN)), col(AMOUNT)).otherwise(lit(0));
    Dataset<Row> days = transactions
        .groupBy(col(CUSTOMER_ID), col(ORDER_DATE))
        .agg(max(not(col(IS_RETURN))).as("has_purchase"), sum(counted).as("day_amount"))
        .filter(col("has_purchase"));
    Column lastObservedDay = lit(java.sql.Date.valueOf(asOf.minusDays(1)));
    return days.groupBy(col(CUSTOMER_ID))
        .agg(
            min(col(ORDER_DATE)).as(FIRST_PURCHASE_DATE),
            max(col(ORDER_DATE)).as(LAST_PURCHASE_DATE),
            count(lit(1)).as("purchase_day_count"),
            sum(col("day_amount")).as("total_amount"),
            min_by(col("day_amount"), col(ORDER_DATE)).as("first_day_amount"))
        .select(
            col(CUSTOMER_ID),
            col("purchase_day_count").minus(1).cast("int").as(REPEAT_PURCHASE_DAYS),
            datediff(col(LAST_PURCHASE_DATE), col(FIRST_PURCHASE_DATE)).as(T_X_DAYS),
            datediff(lastObservedDay, col(FIRST_PURCHASE_DATE)).as(T_DAYS),
            when(col("purchase_day_count").gt(1),
                col("total_amount").minus(col("first_day_amount")).cast("double")
                    .divide(col("purchase_day_count").minus(1)))
                .as(REPEAT_AVG_VALUE));
  }
}
