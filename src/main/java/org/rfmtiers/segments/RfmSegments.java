package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.SegmentSettings;

/**
 * The 8 classic RFM segments. Each of R, F, M is high or low against the snapshot's mean or median
 * ({@code segments.reference}); "R high" means recent (recency below the reference), F and M high
 * mean strictly above it. M decides important vs general; R and F decide value (both high), develop
 * (recent, infrequent), retain (frequent, lapsing) or win-back (neither).
 */
public final class RfmSegments {
  private final SegmentSettings settings;

  public RfmSegments(SegmentSettings settings) {
    this.settings = settings;
  }

  /** The snapshot's references of R, F and M: aggregates for {@link #apply(Dataset, Row)}. */
  public List<Column> statistics() {
    return List.of(
        Labels.reference(settings.reference(), col(RECENCY_DAYS)).as("rfm_recency_reference"),
        Labels.reference(settings.reference(), col(FREQUENCY)).as("rfm_frequency_reference"),
        Labels.reference(settings.reference(), col(MONETARY)).as("rfm_monetary_reference"));
  }

  public Dataset<Row> apply(Dataset<Row> customers) {
    return apply(customers, SchemeStatistics.over(customers, statistics()));
  }

  /**
   * @param statistics a row holding {@link #statistics()} over the snapshot's customers
   */
  public Dataset<Row> apply(Dataset<Row> customers, Row statistics) {
    Column recent =
        col(RECENCY_DAYS).lt(SchemeStatistics.number(statistics, "rfm_recency_reference"));
    Column frequent =
        col(FREQUENCY).gt(SchemeStatistics.number(statistics, "rfm_frequency_reference"));
    Column valuable =
        col(MONETARY)
            .cast("double")
            .gt(SchemeStatistics.number(statistics, "rfm_monetary_reference"));
    Column kind =
        when(recent.and(frequent), lit("VALUE"))
            .when(recent, lit("DEVELOP"))
            .when(frequent, lit("RETAIN"))
            .otherwise(lit("WINBACK"));
    Column code = concat(when(valuable, lit("IMPORTANT_")).otherwise(lit("GENERAL_")), kind);
    return customers
        .withColumn(RFM_SEGMENT, code)
        .withColumn(
            RFM_SEGMENT_NAME,
            Labels.name(settings, "rfm", SegmentSettings.RFM_CODES, col(RFM_SEGMENT)))
        .withColumn(
            RFM_SEGMENT_ACTION,
            Labels.action(settings, "rfm", SegmentSettings.RFM_CODES, col(RFM_SEGMENT)));
  }
}
