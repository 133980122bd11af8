package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.rfmtiers.config.SegmentSettings;

/**
 * The customer pyramid (ABC analysis): customers ranked by value, best first, ties broken by a hash
 * of the id and then the id; with n customers and cumulative shares C1 < C2 < C3 (1 %, 5 %, 20 % by
 * default), ranks 1..round(C1 n) are VIP, up to round(C2 n) MAJOR, up to round(C3 n) ORDINARY and
 * the rest SMALL, so layer sizes are exact whatever the ties.
 */
public final class CustomerPyramid {
  private final SegmentSettings settings;
  private final String valueColumn;

  /**
   * @param valueColumn what to rank by: monetary, or a CLV column
   */
  public CustomerPyramid(SegmentSettings settings, String valueColumn) {
    this.settings = settings;
    this.valueColumn = valueColumn;
  }

  /** The snapshot's customer count: an aggregate for {@link #apply(Dataset, Row)}. */
  public List<Column> statistics() {
    return List.of(count(lit(1)).as("pyramid_customers"));
  }

  public Dataset<Row> apply(Dataset<Row> customers) {
    return apply(customers, SchemeStatistics.over(customers, statistics()));
  }

  /**
   * @param statistics a row holding {@link #statistics()} over the snapshot's customers
   */
  public Dataset<Row> apply(Dataset<Row> customers, Row statistics) {
    List<Double> shares = settings.pyramidShares();
    double c1 = shares.get(0);
    double c2 = c1 + shares.get(1);
    double c3 = c2 + shares.get(2);
    Column hash = xxhash64(col(CUSTOMER_ID));
    // The customers at the three cut ranks, found by a distributed sort and zipWithIndex: a rank
    // over
    // a window without partitions would move every customer into one partition (and one task for
    // every
    // stage after it, down to the customer_rfm write). A customer is in a layer up to a cut when
    // its
    // key is not after the cut's key in the ranking order.
    Dataset<Row> keys =
        customers
            .select(col(valueColumn), hash.as("key_hash"), col(CUSTOMER_ID))
            .orderBy(
                col(valueColumn).desc_nulls_last(), col("key_hash").asc(), col(CUSTOMER_ID).asc());
    long n = statistics.getLong(statistics.fieldIndex("pyramid_customers"));
    long[] ranks = {roundHalfUp(n * c1), roundHalfUp(n * c2), roundHalfUp(n * c3)};
    Set<Long> wanted = new HashSet<>();
    for (long rank : ranks) {
      wanted.add(rank - 1); // zipWithIndex counts from 0
    }
    Map<Long, Row> atRank = new HashMap<>();
    keys.javaRDD()
        .zipWithIndex()
        .filter(pair -> wanted.contains(pair._2()))
        .collect()
        .forEach(pair -> atRank.put(pair._2() + 1, pair._1()));
    Column code =
        when(notAfter(atRank.get(ranks[0]), hash), lit("VIP"))
            .when(notAfter(atRank.get(ranks[1]), hash), lit("MAJOR"))
            .when(notAfter(atRank.get(ranks[2]), hash), lit("ORDINARY"))
            .otherwise(lit("SMALL"));
    return customers
        .withColumn(CUSTOMER_LAYER, code)
        .withColumn(
            CUSTOMER_LAYER_NAME,
            Labels.name(settings, "pyramid", SegmentSettings.PYRAMID_CODES, col(CUSTOMER_LAYER)));
  }

  /** Spark's round(): half up, on the double's decimal spelling. */
  private static long roundHalfUp(double value) {
    return BigDecimal.valueOf(value).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /**
   * Whether a customer ranks at or before {@code cut} (value descending, nulls last, then hash,
   * then id); no cut (rank 0) means no customer.
   */
  private Column notAfter(Row cut, Column hash) {
    if (cut == null) {
      return lit(false);
    }
    Column value = col(valueColumn);
    long cutHash = cut.getLong(1);
    Column tieBroken =
        hash.lt(lit(cutHash))
            .or(hash.equalTo(lit(cutHash)).and(col(CUSTOMER_ID).leq(lit(cut.getString(2)))));
    if (cut.isNullAt(0)) {
      return value.isNotNull().or(tieBroken);
    }
    Column cutValue = lit(cut.get(0));
    return value.isNotNull().and(value.gt(cutValue).or(value.equalTo(cutValue).and(tieBroken)));
  }
}
