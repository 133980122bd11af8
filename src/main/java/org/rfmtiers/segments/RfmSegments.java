package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

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

  public Dataset<Row> apply(Dataset<Row> customers) {
    Row ref =
        customers
            .agg(
                Labels.reference(settings.reference(), col(RECENCY_DAYS)),
                Labels.reference(settings.reference(), col(FREQUENCY)),
                Labels.reference(settings.reference(), col(MONETARY)))
            .head();
    Column recent = col(RECENCY_DAYS).lt(ref.getDouble(0));
    Column frequent = col(FREQUENCY).gt(ref.getDouble(1));
    Column valuable = col(MONETARY).cast("double").gt(ref.getDouble(2));
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
