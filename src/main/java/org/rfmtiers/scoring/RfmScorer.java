package org.rfmtiers.scoring;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.rfmtiers.config.ScoreSettings;

/**
 * R, F and M scores 1-5 (5 = best; recency inverted), the {@code rfm_cell} code and {@code rfm_score}.
 *
 * <p>Computed scores are equal-count quintiles of the customers ranked by the metric, ties broken by a
 * hash of the customer id and then the id itself. Ties can therefore never collapse the scale to fewer
 * than five scores (the frequency of most customers is 1 or 2, which leaves R's {@code rfm} package with
 * two bins), and the same input always gets the same scores. Fixed cut points from config give tied
 * customers the same score instead. Either way the value range behind every score is published.
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
    Dataset<Row> scored = features
        .withColumn(R_SCORE, score(RECENCY_METRIC, true, settings.recencyCuts()))
        .withColumn(F_SCORE, score(FREQUENCY, false, settings.frequencyCuts()))
        .withColumn(M_SCORE, score(MONETARY, false, settings.monetaryCuts()))
        .withColumn(RFM_CELL, concat(col(R_SCORE).cast("string"), col(F_SCORE).cast("string"), col(M_SCORE).cast("string")))
        .withColumn(RFM_SCORE, col(R_SCORE).plus(col(F_SCORE)).plus(col(M_SCORE)));
    Dataset<Row> thresholds = thresholds(scored, RECENCY_METRIC, R_SCORE, true, settings.recencyCuts())
        .unionByName(thresholds(scored, FREQUENCY, F_SCORE, false, settings.frequencyCuts()))
        .unionByName(thresholds(scored, MONETARY, M_SCORE, false, settings.monetaryCuts()));
    return new Scored(scored, thresholds);
  }

  private static Column score(String metric, boolean lowerIsBetter, Optional<List<Double>> cuts) {
    if (cuts.isPresent()) {
      Column bin = lit(1);
      for (double cut : cuts.get()) {
        bin = bin.plus(when(col(metric).cast("double").gt(cut), 1).otherwise(0));
      }
      return lowerIsBetter ? lit(6).minus(bin) : bin;
    }
    // Worst first: rank 1 gets score 1.
    Column order = lowerIsBetter ? col(metric).desc() : col(metric).asc();
    WindowSpec ranked = Window.orderBy(order, xxhash64(col(CUSTOMER_ID)).asc(), col(CUSTOMER_ID).asc());
    Column rank = row_number().over(ranked);
    Column customers = count(lit(1)).over(Window.partitionBy());
    return floor(rank.minus(1).multiply(5).divide(customers)).plus(1).cast("int");
  }

  private static Dataset<Row> thresholds(Dataset<Row> scored, String metric, String scoreColumn,
      boolean lowerIsBetter, Optional<List<Double>> cuts) {
    Dataset<Row> counts = scored.groupBy(col(scoreColumn).as(SCORE))
        .agg(min(col(metric)).cast("double").as(MIN_VALUE), max(col(metric)).cast("double").as(MAX_VALUE),
            count(lit(1)).as(CUSTOMERS));
    if (cuts.isPresent()) {
      List<Double> c = cuts.get();
      // Bin b (1..5) covers (c[b-2], c[b-1]]; recency scores count bins from the other end.
      Column bin = lowerIsBetter ? lit(6).minus(col(SCORE)) : col(SCORE);
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
      counts = counts.withColumn(MIN_VALUE, lower).withColumn(MAX_VALUE, upper).withColumn(METHOD, lit("fixed"));
    } else {
      counts = counts.withColumn(METHOD, lit("quantile"));
    }
    return counts.select(lit(metric).as(METRIC), col(SCORE), col(MIN_VALUE), col(MAX_VALUE), col(CUSTOMERS), col(METHOD));
  }
}
