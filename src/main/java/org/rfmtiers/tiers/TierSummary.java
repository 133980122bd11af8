package org.rfmtiers.tiers;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rfmtiers.Money;

/**
 * Per value tier: customers, customer and revenue shares, mean and median R/F/M (exact medians),
 * and the tier's k-means centre in original units.
 */
public final class TierSummary {
  private final List<TierCentre> centres;
  private final String modelId;
  private final int scale;

  /**
   * @param scale the money scale: the monetary statistics are rounded half-up to it
   */
  public TierSummary(List<TierCentre> centres, String modelId, int scale) {
    this.centres = List.copyOf(centres);
    this.modelId = modelId;
    this.scale = scale;
  }

  /**
   * @param tiered customers with tier, recency_days, frequency, monetary
   */
  public Dataset<Row> apply(Dataset<Row> tiered) {
    Row totals = tiered.agg(count(lit(1)), sum(col(MONETARY))).head();
    long customers = totals.getLong(0);
    BigDecimal revenue = totals.isNullAt(1) ? BigDecimal.ZERO : totals.getDecimal(1);
    Dataset<Row> stats =
        tiered
            .groupBy(col(TIER))
            .agg(
                count(lit(1)).as(CUSTOMERS),
                sum(col(MONETARY)).as(REVENUE),
                avg(col(RECENCY_DAYS)).as(MEAN_RECENCY_DAYS),
                percentile(col(RECENCY_DAYS), lit(0.5)).as(MEDIAN_RECENCY_DAYS),
                avg(col(FREQUENCY)).as(MEAN_FREQUENCY),
                percentile(col(FREQUENCY), lit(0.5)).as(MEDIAN_FREQUENCY),
                avg(col(MONETARY)).cast(Money.decimal(scale)).as(MEAN_MONETARY),
                percentile(col(MONETARY).cast("double"), lit(0.5))
                    .cast(Money.decimal(scale))
                    .as(MEDIAN_MONETARY))
            .withColumn(CUSTOMER_SHARE, col(CUSTOMERS).divide(lit((double) Math.max(customers, 1))))
            .withColumn(
                REVENUE_SHARE,
                revenue.signum() == 0
                    ? lit(null).cast("double")
                    : col(REVENUE).cast("double").divide(lit(revenue.doubleValue())));
    return stats.join(centreTable(tiered), TIER).orderBy(TIER);
  }

  private Dataset<Row> centreTable(Dataset<Row> tiered) {
    StructType schema =
        new StructType()
            .add(TIER, DataTypes.IntegerType)
            .add(TIER_NAME, DataTypes.StringType)
            .add(CLUSTER_ID, DataTypes.IntegerType)
            .add(CENTRE_RECENCY_DAYS, DataTypes.DoubleType)
            .add(CENTRE_FREQUENCY, DataTypes.DoubleType)
            .add(CENTRE_MONETARY, Money.decimal(scale))
            .add(TIER_CODE, DataTypes.StringType)
            .add(R_LEVEL, DataTypes.StringType)
            .add(F_LEVEL, DataTypes.StringType)
            .add(M_LEVEL, DataTypes.StringType)
            .add(TIER_RANK, DataTypes.IntegerType)
            .add(TIER_MODEL_ID, DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (TierCentre c : centres) {
      rows.add(
          RowFactory.create(
              c.tier(),
              c.tierName(),
              c.clusterId(),
              c.recencyDays(),
              c.frequency(),
              BigDecimal.valueOf(c.monetary()).setScale(scale, RoundingMode.HALF_UP),
              c.tierCode(),
              c.rLevel(),
              c.fLevel(),
              c.mLevel(),
              c.tierRank(),
              modelId));
    }
    return tiered.sparkSession().createDataFrame(rows, schema);
  }
}
