package org.rfmtiers.segments;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Movement between value tiers from the previous snapshot to this one. Adds {@code previous_tier}
 * to every customer (null for a new one) and counts customers per (from_tier, to_tier): new
 * customers have no from_tier, lost ones no to_tier. Tier 1 is the most valuable, so a lower number
 * is a move up. model_retrained marks a night whose tier model differs from the previous
 * snapshot's: ids kept by the retrain's matching still mean the same tier, the others do not.
 */
public final class TierMigration {

  private final Optional<LocalDate> previousSnapshot;
  private final String tierModelId;
  private final Optional<String> previousTierModelId;

  /**
   * @param previousSnapshot the latest snapshot before this one, if there is any
   * @param tierModelId the tier model of this snapshot
   * @param previousTierModelId the tier model of the previous snapshot, if it recorded one
   */
  public TierMigration(
      Optional<LocalDate> previousSnapshot,
      String tierModelId,
      Optional<String> previousTierModelId) {
    this.previousSnapshot = previousSnapshot;
    this.tierModelId = tierModelId;
    this.previousTierModelId = previousTierModelId;
  }

  /** Customers with previous_tier, and the migration counts. */
  public record Result(Dataset<Row> customers, Dataset<Row> migration) {}

  /**
   * @param current this snapshot's customers (customer_id, tier, tier_name, ...)
   * @param previous the previous snapshot's customer_id, tier and tier_name (empty without one)
   */
  public Result apply(Dataset<Row> current, Dataset<Row> previous) {
    Dataset<Row> before =
        previous.select(
            col(CUSTOMER_ID), col(TIER).as(FROM_TIER), col(TIER_NAME).as(FROM_TIER_NAME));
    Dataset<Row> customers =
        current.join(
            before.select(col(CUSTOMER_ID), col(FROM_TIER).as(PREVIOUS_TIER)), CUSTOMER_ID, "left");
    Dataset<Row> after =
        current.select(col(CUSTOMER_ID), col(TIER).as(TO_TIER), col(TIER_NAME).as(TO_TIER_NAME));
    Column movement =
        when(col(FROM_TIER).isNull(), lit("new"))
            .when(col(TO_TIER).isNull(), lit("lost"))
            .when(col(TO_TIER).lt(col(FROM_TIER)), lit("up"))
            .when(col(TO_TIER).gt(col(FROM_TIER)), lit("down"))
            .otherwise(lit("same"));
    Dataset<Row> migration =
        before
            .join(after, CUSTOMER_ID, "full_outer")
            .groupBy(col(FROM_TIER), col(FROM_TIER_NAME), col(TO_TIER), col(TO_TIER_NAME))
            .agg(count(lit(1)).as(CUSTOMERS))
            .withColumn(MOVEMENT, movement)
            .withColumn(
                PREVIOUS_SNAPSHOT_DATE,
                lit(previousSnapshot.map(Date::valueOf).orElse(null)).cast("date"))
            .withColumn(TIER_MODEL_ID, lit(tierModelId))
            .withColumn(
                PREVIOUS_TIER_MODEL_ID, lit(previousTierModelId.orElse(null)).cast("string"))
            .withColumn(
                MODEL_RETRAINED,
                lit(
                    previousSnapshot.isPresent()
                        && !previousTierModelId.equals(Optional.of(tierModelId))));
    return new Result(customers, migration);
  }
}
