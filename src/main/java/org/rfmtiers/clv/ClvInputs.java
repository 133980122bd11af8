package org.rfmtiers.clv;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Per-customer inputs of the CLV models, as in the papers: purchases are counted on distinct days
 * (several orders on one day are one transaction), x = purchase days - 1, t_x = last - first
 * purchase day, T = last observed day (the day before the as-of date) - first purchase day, all in
 * days here; m_x = mean spend of the repeat days (the first day excluded). Day spend follows the
 * returns policy: purchases only, or net of returns booked on a purchase day.
 */
public final class ClvInputs {

  private final LocalDate asOf;

  public ClvInputs(LocalDate asOf) {
    this.asOf = asOf;
  }

  /**
   * x, t_x, T and m_x as of the as-of date from per-customer day sums: first and last purchase
   * date, purchase days, {@link #DAY_SPEND} and {@link #FIRST_DAY_SPEND}, as {@code
   * RfmFeatures.aggregate} has them for the customers with a purchase.
   */
  public Dataset<Row> inputs(Dataset<Row> daySums) {
    Column lastObservedDay = lit(Date.valueOf(asOf.minusDays(1)));
    return daySums.select(
        col(CUSTOMER_ID),
        col(PURCHASE_DAYS).minus(1).cast("int").as(REPEAT_PURCHASE_DAYS),
        datediff(col(LAST_PURCHASE_DATE), col(FIRST_PURCHASE_DATE)).as(T_X_DAYS),
        datediff(lastObservedDay, col(FIRST_PURCHASE_DATE)).as(T_DAYS),
        when(
                col(PURCHASE_DAYS).gt(1),
                col(DAY_SPEND)
                    .minus(col(FIRST_DAY_SPEND))
                    .cast("double")
                    .divide(col(PURCHASE_DAYS).minus(1)))
            .as(REPEAT_AVG_VALUE));
  }
}
