package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.List;
import org.apache.spark.sql.Dataset;
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

  public static Dataset<Row> apply(Dataset<Row> customers) {
    Row totals = customers.agg(count(lit(1)), sum(col(MONETARY).cast("double"))).head();
    double customerCount = Math.max(1, totals.getLong(0));
    double revenue = totals.isNullAt(1) ? 0 : totals.getDouble(1);
    Dataset<Row> all = null;
    for (String[] scheme : SCHEMES) {
      Dataset<Row> one =
          customers
              .groupBy(col(scheme[0]).as(SEGMENT), col(scheme[1]).as(SEGMENT_NAME))
              .agg(
                  count(lit(1)).as(CUSTOMERS),
                  sum(col(MONETARY)).as(REVENUE),
                  avg(col(RECENCY_DAYS)).as(MEAN_RECENCY_DAYS),
                  avg(col(FREQUENCY)).as(MEAN_FREQUENCY),
                  avg(col(MONETARY))
                      .as(MEAN_MONETARY)) // decimal; rounded to the money scale on write
              .withColumn(SCHEME, lit(scheme[0]));
      all = all == null ? one : all.unionByName(one);
    }
    return all.withColumn(CUSTOMER_SHARE, col(CUSTOMERS).divide(customerCount))
        .withColumn(
            REVENUE_SHARE,
            revenue == 0 ? lit(null).cast("double") : col(REVENUE).cast("double").divide(revenue));
  }
}
