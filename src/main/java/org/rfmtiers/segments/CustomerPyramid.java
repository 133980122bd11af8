package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.rfmtiers.config.SegmentSettings;

/**
 * The customer pyramid (ABC analysis): customers ranked by value, best first, ties broken by a hash of
 * the id and then the id; with n customers and cumulative shares C1 < C2 < C3 (1 %, 5 %, 20 % by
 * default), ranks 1..round(C1 n) are VIP, up to round(C2 n) MAJOR, up to round(C3 n) ORDINARY and the
 * rest SMALL, so layer sizes are exact whatever the ties.
 */
public final class CustomerPyramid {
  private final SegmentSettings settings;
  private final String valueColumn;

  /** @param valueColumn what to rank by: monetary, or a CLV column */
  public CustomerPyramid(SegmentSettings settings, String valueColumn) {
    this.settings = settings;
    this.valueColumn = valueColumn;
  }

  public Dataset<Row> apply(Dataset<Row> customers) {
    List<Double> shares = settings.pyramidShares();
    Column rank = row_number().over(Window.orderBy(
        col(valueColumn).desc_nulls_last(), xxhash64(col(CUSTOMER_ID)).asc(), col(CUSTOMER_ID).asc()));
    Column n = count(lit(1)).over(Window.partitionBy());
    double c1 = shares.get(0);
    double c2 = c1 + shares.get(1);
    double c3 = c2 + shares.get(2);
    Column code = when(rank.leq(round(n.multiply(c1))), lit("VIP"))
        .when(rank.leq(round(n.multiply(c2))), lit("MAJOR"))
        .when(rank.leq(round(n.multiply(c3))), lit("ORDINARY"))
        .otherwise(lit("SMALL"));
    return customers
        .withColumn(CUSTOMER_LAYER, code)
        .withColumn(CUSTOMER_LAYER_NAME, Labels.name(settings, "pyramid", SegmentSettings.PYRAMID_CODES, col(CUSTOMER_LAYER)));
  }
}
