package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.rfmtiers.config.ChurnSettings;
import org.rfmtiers.config.SegmentSettings;

/**
 * Churn early warning (流失预警). A customer is watched when one of these reasons holds and they were
 * not already CHURNED at the previous snapshot (on the first snapshot: are not CHURNED now) —
 * customers lost long ago are win-back, not early warning:
 *
 * <ul>
 *   <li>P_ALIVE_LOW: P(alive) below churn.alert-p-alive;
 *   <li>P_ALIVE_DROP: P(alive) fell by more than churn.alert-drop since the previous snapshot;
 *   <li>LIFECYCLE_DECLINE, LIFECYCLE_CHURNED: the lifecycle stage moved into DECLINE or CHURNED
 *       since the previous snapshot;
 *   <li>OVERDUE: no purchase for more than churn.overdue-gap-multiple of the customer's usual gap
 *       (mean days between purchase days); {@code days_overdue} = recency - usual gap.
 * </ul>
 *
 * The value at risk is the customer's monetary x (1 - P(alive)): what they have been worth,
 * weighted by the chance they are gone; without CLV this night, the whole monetary. {@code
 * clv_lost} is the CLV over the horizon at the previous snapshot minus tonight's. The watch is
 * ranked by value at risk ({@code watch_rank} 1 first). The summary, per tier and RFM segment and
 * for all customers: the churn rate (customers not CHURNED at the previous snapshot who are CHURNED
 * now) and the value at risk of the watched.
 */
public final class ChurnWatch {
  public static final String P_ALIVE_LOW = "P_ALIVE_LOW";
  public static final String P_ALIVE_DROP = "P_ALIVE_DROP";
  public static final String LIFECYCLE_DECLINE = "LIFECYCLE_DECLINE";
  public static final String LIFECYCLE_CHURNED = "LIFECYCLE_CHURNED";
  public static final String OVERDUE = "OVERDUE";

  /** churn_summary's scheme of the one row over all customers, and its segment code. */
  public static final String ALL = "all";

  public static final String ALL_CODE = "ALL";

  private static final String WATCH = "_rfm_watched";

  private final ChurnSettings settings;
  private final SegmentSettings.Language language;
  private final int scale;

  public ChurnWatch(ChurnSettings settings, SegmentSettings.Language language, int scale) {
    this.settings = settings;
    this.language = language;
    this.scale = scale;
  }

  public record Result(Dataset<Row> watch, Dataset<Row> summary) {}

  /**
   * Tonight's customers with the previous snapshot's previous_lifecycle_stage, previous_p_alive and
   * previous_clv_value beside them (null for a customer new since then, and all null on the first
   * snapshot): joined before the customers are cached, so the watch and its summary read the cache.
   *
   * @param previous the previous snapshot's customer_id and those three columns; empty on the first
   *     snapshot
   */
  public static Dataset<Row> withPrevious(Dataset<Row> customers, Optional<Dataset<Row>> previous) {
    return previous
        .map(p -> customers.join(p, CUSTOMER_ID, "left"))
        .orElseGet(
            () ->
                customers
                    .withColumn(PREVIOUS_LIFECYCLE_STAGE, lit(null).cast("string"))
                    .withColumn(PREVIOUS_P_ALIVE, lit(null).cast("double"))
                    .withColumn(PREVIOUS_CLV_VALUE, lit(null).cast("double")));
  }

  /**
   * @param customers {@link #withPrevious}: tonight's customers with their tier, RFM segment and
   *     lifecycle stage, p_alive and clv_value when the CLV stage ran, and the previous columns
   * @param hasPrevious whether there is a previous snapshot (else no churn rate)
   */
  public Result apply(Dataset<Row> customers, boolean hasPrevious) {
    List<String> columns = Arrays.asList(customers.columns());
    Column pAlive = columns.contains(P_ALIVE) ? col(P_ALIVE) : lit(null).cast("double");
    Column clv = columns.contains(CLV_VALUE) ? col(CLV_VALUE).cast("double") : lit(null);
    Column stage = col(LIFECYCLE_STAGE);
    Column before = col(PREVIOUS_LIFECYCLE_STAGE);
    Column gap = col(MEAN_PURCHASE_GAP_DAYS);
    Column overdueDays = col(RECENCY_DAYS).minus(gap);
    Column eligible =
        when(before.isNotNull(), before.notEqual("CHURNED")).otherwise(stage.notEqual("CHURNED"));
    Column reasons =
        concat_ws(
            ",",
            when(pAlive.lt(settings.alertPAlive()), lit(P_ALIVE_LOW)),
            when(col(PREVIOUS_P_ALIVE).minus(pAlive).gt(settings.alertDrop()), lit(P_ALIVE_DROP)),
            when(before.notEqual("DECLINE").and(stage.equalTo("DECLINE")), lit(LIFECYCLE_DECLINE)),
            when(before.notEqual("CHURNED").and(stage.equalTo("CHURNED")), lit(LIFECYCLE_CHURNED)),
            when(
                gap.isNotNull()
                    .and(col(RECENCY_DAYS).gt(gap.multiply(settings.overdueGapMultiple()))),
                lit(OVERDUE)));
    Column money = col(MONETARY).cast("double");
    Dataset<Row> flagged =
        customers
            .withColumn(P_ALIVE, pAlive)
            .withColumn(CLV_VALUE, clv)
            .withColumn(REASONS, reasons)
            .withColumn(WATCH, eligible.and(col(REASONS).notEqual("")))
            .withColumn(
                DAYS_OVERDUE,
                when(gap.isNotNull(), greatest(round(overdueDays), lit(0.0)).cast("int")))
            .withColumn(
                VALUE_AT_RISK,
                round(
                        when(pAlive.isNull(), money)
                            .otherwise(money.multiply(lit(1.0).minus(pAlive))),
                        scale)
                    .cast(org.rfmtiers.Money.decimal(scale)))
            .withColumn(CLV_LOST, col(PREVIOUS_CLV_VALUE).minus(clv));
    Dataset<Row> watch =
        flagged
            .filter(col(WATCH))
            .withColumn(
                WATCH_RANK,
                row_number().over(Window.orderBy(col(VALUE_AT_RISK).desc(), col(CUSTOMER_ID))));
    return new Result(watch, summary(flagged, hasPrevious));
  }

  /** Per tier, per RFM segment and over all customers. */
  private Dataset<Row> summary(Dataset<Row> flagged, boolean hasPrevious) {
    Column before = col(PREVIOUS_LIFECYCLE_STAGE);
    Column alive = before.isNotNull().and(before.notEqual("CHURNED"));
    Column watched = col(WATCH);
    List<Column> measures =
        List.of(
            count(lit(1)).as(CUSTOMERS),
            count(when(alive, lit(1))).as(ALIVE_PREVIOUSLY),
            count(when(alive.and(col(LIFECYCLE_STAGE).equalTo("CHURNED")), lit(1))).as(CHURNED),
            count(when(watched, lit(1))).as(WATCHED),
            coalesce(sum(when(watched, col(VALUE_AT_RISK))), lit(0)).as(REVENUE_AT_RISK),
            sum(when(watched, col(CLV_LOST))).as(CLV_LOST));
    Column[] rest = measures.subList(1, measures.size()).toArray(Column[]::new);
    String allName = language == SegmentSettings.Language.ZH ? "全部客户" : "All customers";
    Dataset<Row> all =
        flagged
            .agg(measures.get(0), rest)
            .withColumn(SCHEME, lit(ALL))
            .withColumn(SEGMENT, lit(ALL_CODE))
            .withColumn(SEGMENT_NAME, lit(allName));
    // per tier and per RFM segment in one aggregation
    Dataset<Row> bySchemes =
        SegmentSummary.perScheme(
                flagged,
                List.of(
                    SegmentSummary.entry(TIER, col(TIER).cast("string"), col(TIER_NAME)),
                    SegmentSummary.entry(RFM_SEGMENT, col(RFM_SEGMENT), col(RFM_SEGMENT_NAME))))
            .agg(measures.get(0), rest);
    Dataset<Row> rows = all.unionByName(bySchemes);
    Column rate =
        hasPrevious
            ? when(col(ALIVE_PREVIOUSLY).gt(0), col(CHURNED).divide(col(ALIVE_PREVIOUSLY)))
            : lit(null).cast("double");
    return rows.withColumn(CHURN_RATE, rate)
        .withColumn(ALIVE_PREVIOUSLY, hasPrevious ? col(ALIVE_PREVIOUSLY) : lit(null))
        .withColumn(CHURNED, hasPrevious ? col(CHURNED) : lit(null));
  }
}
