package org.rfmtiers.scoring;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.rfmtiers.config.ScoreSettings;

/**
 * R, F and M scores 1-5 (5 = best; recency inverted), the {@code rfm_cell} code and {@code
 * rfm_score}.
 *
 * <p>Computed scores are equal-count quintiles of the customers ranked by the metric, ties broken
 * by a hash of the customer id and then the id itself (found with a distributed sort, not a
 * single-partition window). Ties can therefore never collapse the scale to fewer than five scores
 * (the frequency of most customers is 1 or 2, which leaves R's {@code rfm} package with two bins),
 * and the same input always gets the same scores. Fixed cut points from config give tied customers
 * the same score instead. Either way the value range behind every score is published.
 */
public final class RfmScorer {
  private static final String RECENCY_METRIC = RECENCY_DAYS;
  private final ScoreSettings settings;

  public RfmScorer(ScoreSettings settings) {
    this.settings = settings;
  }

  /** Scored customers plus one row per metric and score describing the values behind it. */
  public record Scored(Dataset<Row> customers, Dataset<Row> thresholds) {}

  public Scored apply(Dataset<Row> features) {
    long customers = features.count();
    List<Metric> metrics =
        List.of(
            new Metric(RECENCY_METRIC, R_SCORE, true, settings.recencyCuts()),
            new Metric(FREQUENCY, F_SCORE, false, settings.frequencyCuts()),
            new Metric(MONETARY, M_SCORE, false, settings.monetaryCuts()));
    Map<String, Map<Long, Row>> boundaries =
        boundaries(features, customers, metrics.stream().filter(m -> m.cuts().isEmpty()).toList());
    Dataset<Row> scored = features;
    Dataset<Row> thresholds = null;
    for (Metric m : metrics) {
      scored = scored.withColumn(m.scoreColumn(), score(customers, m, boundaries));
    }
    for (Metric m : metrics) {
      Dataset<Row> rows = thresholds(scored, m);
      thresholds = thresholds == null ? rows : thresholds.unionByName(rows);
    }
    scored =
        scored
            .withColumn(
                RFM_CELL,
                concat(
                    col(R_SCORE).cast("string"),
                    col(F_SCORE).cast("string"),
                    col(M_SCORE).cast("string")))
            .withColumn(RFM_SCORE, col(R_SCORE).plus(col(F_SCORE)).plus(col(M_SCORE)));
    return new Scored(scored, thresholds);
  }

  /**
   * A metric with its score column, whether a lower value ranks better (recency), and fixed cut
   * points from config (empty: scored by quantile).
   */
  private record Metric(
      String column, String scoreColumn, boolean lowerIsBetter, Optional<List<Double>> cuts) {}

  /**
   * The (0-based) rank where score {@code s} starts among {@code customers} customers: the customer
   * at 1-based rank r scores 1 + floor(5 (r - 1) / n), so score s starts at the 1-based rank
   * ceil((s - 1) n / 5) + 1.
   */
  private static long start(int s, long customers) {
    return (long) Math.ceil((s - 1) * customers / 5.0);
  }

  /**
   * For every metric scored by quantile, the ranking keys (value, hash of the id, id) of the
   * customers where scores 2 to 5 start, by rank. Customers are ranked worst first: by the metric,
   * then a hash of the id, then the id. Rather than numbering every customer in one partition, one
   * distributed sort finds them for all metrics at once: the metrics' keys are stacked (metric i's
   * customers take the positions i n to (i + 1) n - 1 of the sorted whole), sorted and numbered
   * once, and at most four rows a metric reach the driver. One sort and one numbering instead of
   * one a metric: three Spark jobs instead of nine.
   */
  private static Map<String, Map<Long, Row>> boundaries(
      Dataset<Row> features, long customers, List<Metric> metrics) {
    Map<String, Map<Long, Row>> boundaries = new HashMap<>();
    if (metrics.isEmpty()) {
      return boundaries;
    }
    Dataset<Row> stacked = null;
    List<Column> order = new ArrayList<>(List.of(col("m").asc()));
    for (int i = 0; i < metrics.size(); i++) {
      List<Column> key = new ArrayList<>(List.of(lit(i).as("m")));
      for (int j = 0; j < metrics.size(); j++) {
        String metric = metrics.get(j).column();
        key.add(
            (j == i ? col(metric) : lit(null).cast(features.schema().apply(metric).dataType()))
                .as("v" + j));
      }
      key.add(xxhash64(col(CUSTOMER_ID)).as("h"));
      key.add(col(CUSTOMER_ID).as("id"));
      Dataset<Row> keys = features.select(key.toArray(new Column[0]));
      stacked = stacked == null ? keys : stacked.union(keys);
      order.add(metrics.get(i).lowerIsBetter() ? col("v" + i).desc() : col("v" + i).asc());
    }
    order.add(col("h").asc());
    order.add(col("id").asc());
    Set<Long> positions = new TreeSet<>();
    for (int i = 0; i < metrics.size(); i++) {
      for (int s = 2; s <= 5; s++) {
        if (start(s, customers) < customers) {
          positions.add(i * customers + start(s, customers));
        }
      }
    }
    List<scala.Tuple2<Row, Long>> hits =
        stacked
            .orderBy(order.toArray(new Column[0]))
            .javaRDD()
            .zipWithIndex()
            .filter(pair -> positions.contains(pair._2()))
            .collect();
    int hash = 1 + metrics.size();
    for (scala.Tuple2<Row, Long> hit : hits) {
      Row row = hit._1();
      int i = row.getInt(0);
      boundaries
          .computeIfAbsent(metrics.get(i).column(), m -> new HashMap<>())
          .put(
              hit._2() - i * customers,
              RowFactory.create(row.get(1 + i), row.getLong(hash), row.getString(hash + 1)));
    }
    return boundaries;
  }

  private static Column score(
      long customers, Metric metric, Map<String, Map<Long, Row>> boundaries) {
    if (metric.cuts().isPresent()) {
      Column bin = lit(1);
      for (double cut : metric.cuts().get()) {
        bin = bin.plus(when(col(metric.column()).cast("double").gt(cut), 1).otherwise(0));
      }
      return metric.lowerIsBetter() ? lit(6).minus(bin) : bin;
    }
    // every customer is scored by comparing its ranking key with those of the customers where the
    // scores start
    Column value = col(metric.column());
    Column hash = xxhash64(col(CUSTOMER_ID));
    Map<Long, Row> starts = boundaries.getOrDefault(metric.column(), Map.of());
    Column score = lit(1);
    for (int s = 2; s <= 5; s++) {
      Row boundary = starts.get(start(s, customers));
      if (boundary != null) {
        score =
            score.plus(
                when(atOrAfter(value, hash, boundary, metric.lowerIsBetter()), 1).otherwise(0));
      }
    }
    return score.cast("int");
  }

  /** Whether a customer's ranking key (value, hash, id) is at or after {@code boundary}'s. */
  private static Column atOrAfter(
      Column value, Column hash, Row boundary, boolean descendingValue) {
    Column boundaryValue = lit(boundary.get(0));
    Column beyond = descendingValue ? value.lt(boundaryValue) : value.gt(boundaryValue);
    Column tieBreak =
        hash.gt(boundary.getLong(1))
            .or(hash.equalTo(boundary.getLong(1)).and(col(CUSTOMER_ID).geq(boundary.getString(2))));
    return beyond.or(value.equalTo(boundaryValue).and(tieBreak));
  }

  private static Dataset<Row> thresholds(Dataset<Row> scored, Metric metric) {
    Dataset<Row> counts =
        scored
            .groupBy(col(metric.scoreColumn()).as(SCORE))
            .agg(
                min(col(metric.column())).cast("double").as(MIN_VALUE),
                max(col(metric.column())).cast("double").as(MAX_VALUE),
                count(lit(1)).as(CUSTOMERS));
    if (metric.cuts().isPresent()) {
      List<Double> c = metric.cuts().get();
      // Bin b (1..5) covers (c[b-2], c[b-1]]; recency scores count bins from the other end.
      Column bin = metric.lowerIsBetter() ? lit(6).minus(col(SCORE)) : col(SCORE);
      Column lower = lit(null).cast("double");
      Column upper = lit(null).cast("double");
      for (int b = 1; b <= 5; b++) {
        if (b >= 2) {
          lower = when(bin.equalTo(b), lit(c.get(b - 2))).otherwise(lower);
        }
        if (b <= 4) {
          upper = when(bin.equalTo(b), lit(c.get(b - 1))).otherwise(upper);
        }
      }
      counts =
          counts
              .withColumn(MIN_VALUE, lower)
              .withColumn(MAX_VALUE, upper)
              .withColumn(METHOD, lit("fixed"));
    } else {
      counts = counts.withColumn(METHOD, lit("quantile"));
    }
    return counts.select(
        lit(metric.column()).as(METRIC),
        col(SCORE),
        col(MIN_VALUE),
        col(MAX_VALUE),
        col(CUSTOMERS),
        col(METHOD));
  }
}
