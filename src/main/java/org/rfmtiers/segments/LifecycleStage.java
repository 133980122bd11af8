package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.SegmentSettings;

/**
 * Lifecycle stage from each customer's own rhythm, first rule that applies:
 *
 * <ol>
 *   <li>CHURNED: no purchase for churn-days, or for churn-gap-multiple x the customer's usual gap
 *       (mean days between purchase days) — a weekly buyer is lost long before a yearly one;
 *   <li>EXPLORATION: first purchase within exploration-days and a single order — still trying us
 *       out;
 *   <li>DECLINE: overdue (no purchase for decline-gap-multiple x the usual gap), orders in the last
 *       trend window at most falling-ratio x the window before, or a one-time buyer past
 *       exploration with no order in the last window (tried once, did not come back);
 *   <li>FORMATION: orders in the last window at least rising-ratio x the window before (any orders
 *       after none counts as rising);
 *   <li>STABILITY: everything else.
 * </ol>
 */
public final class LifecycleStage {
  private final SegmentSettings settings;

  public LifecycleStage(SegmentSettings settings) {
    this.settings = settings;
  }

  public Dataset<Row> apply(Dataset<Row> customers) {
    SegmentSettings.Lifecycle rules = settings.lifecycle();
    Column gap = col(MEAN_PURCHASE_GAP_DAYS);
    Column recency = col(RECENCY_DAYS);
    Column recent = col(ORDERS_RECENT).cast("double");
    Column prior = col(ORDERS_PRIOR).cast("double");
    Column churned =
        recency
            .gt(rules.churnDays())
            .or(gap.isNotNull().and(recency.gt(gap.multiply(rules.churnGapMultiple()))));
    Column exploring = col(TENURE_DAYS).leq(rules.explorationDays()).and(col(FREQUENCY).equalTo(1));
    Column declining =
        gap.isNotNull()
            .and(recency.gt(gap.multiply(rules.declineGapMultiple())))
            .or(prior.gt(0).and(recent.leq(prior.multiply(rules.fallingRatio()))))
            .or(gap.isNull().and(recent.equalTo(0)));
    Column forming =
        recent.gt(0).and(prior.equalTo(0).or(recent.geq(prior.multiply(rules.risingRatio()))));
    Column code =
        when(churned, lit("CHURNED"))
            .when(exploring, lit("EXPLORATION"))
            .when(declining, lit("DECLINE"))
            .when(forming, lit("FORMATION"))
            .otherwise(lit("STABILITY"));
    return customers
        .withColumn(LIFECYCLE_STAGE, code)
        .withColumn(
            LIFECYCLE_STAGE_NAME,
            Labels.name(
                settings, "lifecycle", SegmentSettings.LIFECYCLE_CODES, col(LIFECYCLE_STAGE)));
  }
}
