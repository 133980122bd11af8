package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RelationalGroupedDataset;
import org.apache.spark.sql.Row;

/**
 * Per scheme and segment: customers, customer and revenue shares, mean R/F/M. Schemes: rfm_segment,
 * customer_layer (pyramid; its revenue shares are the 80/20 check), value_matrix, lifecycle_stage,
 * loyalty_quadrant.
 */
public final class SegmentSummary {

  private static final List<String[]> SCHEMES =
      List.of(
          new String[] {RFM_SEGMENT, RFM_SEGMENT_NAME},
          new String[] {CUSTOMER_LAYER, CUSTOMER_LAYER_NAME},
          new String[] {VALUE_MATRIX, VALUE_MATRIX_NAME},
          new String[] {LIFECYCLE_STAGE, LIFECYCLE_STAGE_NAME},
          new String[] {LOYALTY_QUADRANT, LOYALTY_QUADRANT_NAME});

  private SegmentSummary() {}

  /**
   * One scheme's entry for {@link #perScheme}: the scheme's name, the row's segment code (a string)
   * and its label.
   */
  static Column entry(String scheme, Column segment, Column segmentName) {
    return struct(lit(scheme).as(SCHEME), segment.as(SEGMENT), segmentName.as(SEGMENT_NAME));
  }

  /**
   * {@code rows} grouped by scheme, segment and segment name for every scheme of {@code entries} at
   * once: each row stands once per entry (the entries' array exploded), so the schemes share one
   * shuffle of the rows instead of one each.
   */
  static RelationalGroupedDataset perScheme(Dataset<Row> rows, List<Column> entries) {
    String entry = "scheme_entry";
    return rows.withColumn(entry, explode(array(entries.toArray(Column[]::new))))
        .groupBy(
            col(entry + "." + SCHEME).as(SCHEME),
            col(entry + "." + SEGMENT).as(SEGMENT),
            col(entry + "." + SEGMENT_NAME).as(SEGMENT_NAME));
  }

  /** Every scheme's segments in one aggregation over the customers ({@link #perScheme}). */
  public static Dataset<Row> apply(Dataset<Row> customers) {
    Row totals = customers.agg(count(lit(1)), sum(col(MONETARY).cast("double"))).head();
    double customerCount = Math.max(1, totals.getLong(0));
    double revenue = totals.isNullAt(1) ? 0 : totals.getDouble(1);
    List<Column> entries =
        SCHEMES.stream().map(scheme -> entry(scheme[0], col(scheme[0]), col(scheme[1]))).toList();
    return perScheme(customers, entries)
        .agg(
            count(lit(1)).as(CUSTOMERS),
            sum(col(MONETARY)).as(REVENUE),
            avg(col(RECENCY_DAYS)).as(MEAN_RECENCY_DAYS),
            avg(col(FREQUENCY)).as(MEAN_FREQUENCY),
            avg(col(MONETARY)).as(MEAN_MONETARY)) // decimal; rounded to the money scale on write
        .withColumn(CUSTOMER_SHARE, col(CUSTOMERS).divide(customerCount))
        .withColumn(
            REVENUE_SHARE,
            revenue == 0 ? lit(null).cast("double") : col(REVENUE).cast("double").divide(revenue));
  }
}
