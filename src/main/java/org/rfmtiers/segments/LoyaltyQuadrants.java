package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.SegmentSettings;

/**
 * Loyalty x value quadrants, HSBC's customer classes: TRUE_FRIEND (high loyalty, high value),
 * BUTTERFLY (low loyalty, high value), BARNACLE (high loyalty, low value), STRANGER (both low).
 *
 * <p>A transaction log shows loyalty as behaviour, so {@code loyalty_score} (0-1) is the mean of
 * three parts, each 0-1, that a loyal customer scores high on and a one-off buyer low:
 *
 * <ul>
 *   <li>tenure: days since the first purchase / tenure-full-days, at most 1 (a relationship takes
 *       time; a customer of a month cannot be loyal yet);
 *   <li>regularity: months with a purchase / months since the first purchase's month (both ends
 *       counted), the share of active months: it separates a customer who comes back month after
 *       month from one who bought a lot once;
 *   <li>retention: P(alive) from BG/NBD when the CLV stage ran and the customer bought on more than
 *       one day (BG/NBD gives a one-time buyer P(alive) = 1, which says nothing of loyalty), else 1
 *       - recency / the lifecycle's churn-days, at least 0 (a loyal customer has not left).
 * </ul>
 *
 * Value is monetary, or the CLV over the horizon (segments.quadrants.value-by), high strictly above
 * its cut like the value matrix's; loyalty is high from loyalty-cut on.
 */
public final class LoyaltyQuadrants {
  private final SegmentSettings settings;

  public LoyaltyQuadrants(SegmentSettings settings) {
    this.settings = settings;
  }

  /** What value is: CLV over the horizon, when asked for and the run has it, or monetary. */
  private Column value(boolean clv) {
    return settings.quadrants().valueBy() == SegmentSettings.QuadrantValue.CLV && clv
        ? coalesce(col(CLV_VALUE).cast("double"), lit(0.0))
        : col(MONETARY).cast("double");
  }

  /**
   * The value cut over the snapshot: an aggregate for {@link #apply(Dataset, Row)}.
   *
   * @param clv whether the customers carry clv_value and p_alive
   */
  public List<Column> statistics(boolean clv) {
    SegmentSettings.Quadrants rules = settings.quadrants();
    return List.of(
        Labels.highCut(rules.valueReference(), rules.valueHighShare(), value(clv))
            .as("quadrant_value_cut"));
  }

  public Dataset<Row> apply(Dataset<Row> customers) {
    return apply(customers, SchemeStatistics.over(customers, statistics(hasClv(customers))));
  }

  /**
   * @param customers with tenure_days, recency_days, purchase_days, monetary, active_months,
   *     months_since_first and, when the CLV stage ran, p_alive and clv_value
   * @param statistics a row holding {@link #statistics} over the snapshot's customers
   */
  public Dataset<Row> apply(Dataset<Row> customers, Row statistics) {
    SegmentSettings.Quadrants rules = settings.quadrants();
    boolean clv = hasClv(customers);
    Column tenure = least(col(TENURE_DAYS).divide((double) rules.tenureFullDays()), lit(1.0));
    Column regularity = col(ACTIVE_MONTHS).divide(col(MONTHS_SINCE_FIRST).plus(1));
    Column recencyProxy =
        greatest(
            lit(1.0).minus(col(RECENCY_DAYS).divide((double) settings.lifecycle().churnDays())),
            lit(0.0));
    // BG/NBD calls a customer without a repeat purchase alive with probability 1 (the model cannot
    // see them leave): that is no evidence of loyalty, so one purchase day gets the recency proxy
    Column retention =
        clv
            ? when(col(PURCHASE_DAYS).gt(1), coalesce(col(P_ALIVE), recencyProxy))
                .otherwise(recencyProxy)
            : recencyProxy;
    Dataset<Row> scored =
        customers.withColumn(
            LOYALTY_SCORE, round(tenure.plus(regularity).plus(retention).divide(3), 6));
    double cut = SchemeStatistics.number(statistics, "quadrant_value_cut");
    Column value = value(clv);
    Column highValue = value.gt(cut);
    Column loyal = col(LOYALTY_SCORE).geq(rules.loyaltyCut());
    Column code =
        when(loyal.and(highValue), lit("TRUE_FRIEND"))
            .when(highValue, lit("BUTTERFLY"))
            .when(loyal, lit("BARNACLE"))
            .otherwise(lit("STRANGER"));
    Column quadrant = col(LOYALTY_QUADRANT);
    return scored
        .withColumn(LOYALTY_QUADRANT, code)
        .withColumn(
            LOYALTY_QUADRANT_NAME,
            Labels.name(settings, "quadrant", SegmentSettings.QUADRANT_CODES, quadrant))
        .withColumn(
            LOYALTY_QUADRANT_ACTION,
            Labels.action(settings, "quadrant", SegmentSettings.QUADRANT_CODES, quadrant));
  }

  private static boolean hasClv(Dataset<Row> customers) {
    return Arrays.asList(customers.columns()).contains(CLV_VALUE);
  }
}
