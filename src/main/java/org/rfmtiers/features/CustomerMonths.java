package org.rfmtiers.features;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.ReturnsPolicy;

/**
 * Each customer's calendar months before the snapshot date: whether the month has a purchase
 * ({@code purchased}) and its revenue counted by the returns policy ({@code revenue}). The input of
 * cohort retention and of the regularity part of loyalty. Built from validated lines or from
 * state_lines (same columns: customer, day, kind, signed amount), so a full and an incremental run
 * give the same months.
 */
public final class CustomerMonths {
  private CustomerMonths() {}

  /**
   * @param lines lines with customer_id, order_date, is_return and amount
   */
  public static Dataset<Row> of(Dataset<Row> lines, LocalDate asOf, ReturnsPolicy policy) {
    return lines
        .filter(col(CUSTOMER_ID).isNotNull().and(col(ORDER_DATE).lt(lit(Date.valueOf(asOf)))))
        .groupBy(col(CUSTOMER_ID), trunc(col(ORDER_DATE), "month").as(ORDER_MONTH))
        .agg(
            max(not(col(IS_RETURN))).as(PURCHASED),
            coalesce(sum(policy.countedAmount()), lit(0)).as(REVENUE));
  }

  /**
   * Per customer with a purchase: months with a purchase ({@code active_months}) and the months
   * from the first purchase's month to the snapshot's last day, both ends counted ({@code
   * months_since_first} + 1).
   */
  public static Dataset<Row> activity(Dataset<Row> months, LocalDate asOf) {
    LocalDate lastMonth = asOf.minusDays(1).withDayOfMonth(1);
    return months
        .filter(col(PURCHASED))
        .groupBy(CUSTOMER_ID)
        .agg(count(lit(1)).as(ACTIVE_MONTHS), min(col(ORDER_MONTH)).as(COHORT_MONTH))
        .withColumn(
            MONTHS_SINCE_FIRST,
            months_between(lit(Date.valueOf(lastMonth)), col(COHORT_MONTH)).cast("int"));
  }
}
