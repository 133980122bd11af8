package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.SegmentSettings;

/**
 * The current x future value matrix. Current value is spend over the trailing window ({@code
 * current_value}); future value is the CLV over the horizon when the CLV stage ran, otherwise an
 * RFM proxy: the customer's annualised spend rate, avg_order_value x frequency / max(tenure, 30
 * days) x 365, weighted by r_score / 5 so lapsing customers count for less. Each is high when
 * strictly above its cut: by default the (1 - segments.matrix.high-share) percentile of the
 * snapshot, so the top 20 % are high; or the mean or median. VIP (both high), DEVELOP (future
 * only), MAINTAIN (current only), ABANDON.
 */
public final class ValueMatrix {
  public static final String SOURCE_CLV = "clv";
  public static final String SOURCE_PROXY = "rfm_proxy";
  private final SegmentSettings settings;
  private final Optional<String> clvColumn;

  public ValueMatrix(SegmentSettings settings, Optional<String> clvColumn) {
    this.settings = settings;
    this.clvColumn = clvColumn;
  }

  private Column cut(Column value) {
    return Labels.highCut(settings.matrixReference(), settings.matrixHighShare(), value);
  }

  /** Future value: the CLV column, or the RFM proxy. */
  private Column futureValue() {
    Column proxy =
        col(AVG_ORDER_VALUE)
            .cast("double")
            .multiply(col(FREQUENCY))
            .divide(greatest(col(TENURE_DAYS), lit(30)))
            .multiply(365)
            .multiply(col(R_SCORE).divide(5.0));
    return clvColumn.map(c -> col(c).cast("double")).orElse(proxy);
  }

  /** The two cuts over the snapshot: aggregates for {@link #apply(Dataset, Row)}. */
  public List<Column> statistics() {
    return List.of(
        cut(col(CURRENT_VALUE)).as("matrix_current_cut"),
        cut(futureValue()).as("matrix_future_cut"));
  }

  public Dataset<Row> apply(Dataset<Row> customers) {
    return apply(customers, SchemeStatistics.over(customers, statistics()));
  }

  /**
   * @param statistics a row holding {@link #statistics()} over the snapshot's customers
   */
  public Dataset<Row> apply(Dataset<Row> customers, Row statistics) {
    Dataset<Row> valued =
        customers
            .withColumn(FUTURE_VALUE, futureValue())
            .withColumn(
                FUTURE_VALUE_SOURCE, lit(clvColumn.isPresent() ? SOURCE_CLV : SOURCE_PROXY));
    Column currentHigh =
        col(CURRENT_VALUE)
            .cast("double")
            .gt(SchemeStatistics.number(statistics, "matrix_current_cut"));
    Column futureHigh =
        col(FUTURE_VALUE).gt(SchemeStatistics.number(statistics, "matrix_future_cut"));
    Column code =
        when(currentHigh.and(futureHigh), lit("VIP"))
            .when(futureHigh, lit("DEVELOP"))
            .when(currentHigh, lit("MAINTAIN"))
            .otherwise(lit("ABANDON"));
    return valued
        .withColumn(VALUE_MATRIX, code)
        .withColumn(
            VALUE_MATRIX_NAME,
            Labels.name(settings, "matrix", SegmentSettings.MATRIX_CODES, col(VALUE_MATRIX)));
  }
}
