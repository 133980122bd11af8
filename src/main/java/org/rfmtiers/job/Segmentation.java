package org.rfmtiers.job;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.rfmtiers.clv.ClvResult;
import org.rfmtiers.config.SegmentSettings;
import org.rfmtiers.features.CustomerMonths;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.Tables;
import org.rfmtiers.segments.ChurnWatch;
import org.rfmtiers.segments.CustomerPyramid;
import org.rfmtiers.segments.LifecycleStage;
import org.rfmtiers.segments.LoyaltyQuadrants;
import org.rfmtiers.segments.RfmSegments;
import org.rfmtiers.segments.SchemeStatistics;
import org.rfmtiers.segments.TierMigration;
import org.rfmtiers.segments.ValueMatrix;

/**
 * Wires the segment stages: RFM segments, pyramid, value matrix (on CLV when this run has it),
 * lifecycle stage, loyalty x value quadrants, and what compares with the latest earlier snapshot
 * already in customer_rfm: the tier migration and the churn watch.
 */
final class Segmentation {
  private final SegmentSettings settings;
  private final String clvColumn;
  private final DeltaTables tables;

  /**
   * @param clvColumn the CLV stage's horizon column, e.g. clv_12m
   */
  Segmentation(SegmentSettings settings, String clvColumn, DeltaTables tables) {
    this.settings = settings;
    this.clvColumn = clvColumn;
    this.tables = tables;
  }

  /**
   * The customers with every scheme and the previous snapshot's columns the churn watch compares
   * with ({@link ChurnWatch#withPrevious}), the tier migration, and whether there was a previous
   * snapshot; {@code cached} is what the caller unpersists once the snapshot is written.
   */
  record Result(
      Dataset<Row> customers, Dataset<Row> migration, boolean hasPrevious, Dataset<Row> cached) {}

  /**
   * @param months the customers' months ({@link CustomerMonths#of}): the regularity of loyalty
   * @param tierModelId the tier model of this snapshot
   */
  Result apply(
      Dataset<Row> tiered,
      Optional<ClvResult> clv,
      Dataset<Row> months,
      LocalDate snapshot,
      String tierModelId) {
    Optional<Dataset<Row>> clvCustomers = clv.flatMap(ClvResult::customers);
    Optional<String> future = clvCustomers.map(c -> CLV_VALUE);
    // every input of the schemes beside each customer, cached: the statistics below and the
    // pyramid's ranking read it, and the run's customers are built from it
    Dataset<Row> joined =
        clvCustomers
            .map(
                c ->
                    tiered.join(
                        c.select(col(CUSTOMER_ID), col(clvColumn).as(CLV_VALUE), col(P_ALIVE)),
                        CUSTOMER_ID,
                        "left"))
            .orElse(tiered)
            .join(CustomerMonths.activity(months, snapshot).drop(COHORT_MONTH), CUSTOMER_ID, "left")
            .persist(StorageLevel.MEMORY_AND_DISK());
    String pyramidBy =
        settings.pyramidBy() == SegmentSettings.PyramidBy.CLV && future.isPresent()
            ? CLV_VALUE
            : MONETARY;
    RfmSegments rfm = new RfmSegments(settings);
    CustomerPyramid pyramid = new CustomerPyramid(settings, pyramidBy);
    ValueMatrix matrix = new ValueMatrix(settings, future);
    LoyaltyQuadrants quadrants = new LoyaltyQuadrants(settings);
    // the schemes' references and cuts in one aggregation over the customers, not one each
    List<Column> statistics = new ArrayList<>(rfm.statistics());
    statistics.addAll(pyramid.statistics());
    statistics.addAll(matrix.statistics());
    statistics.addAll(quadrants.statistics(future.isPresent()));
    Row snapshotStatistics = SchemeStatistics.over(joined, statistics);
    Dataset<Row> customers = rfm.apply(joined, snapshotStatistics);
    customers = pyramid.apply(customers, snapshotStatistics);
    customers = matrix.apply(customers, snapshotStatistics);
    customers = new LifecycleStage(settings).apply(customers);
    customers = quadrants.apply(customers, snapshotStatistics);

    Optional<LocalDate> previousDate = previousSnapshot(snapshot);
    Dataset<Row> previousRows =
        previousDate
            .map(date -> tables.readSnapshot(Tables.CUSTOMER_RFM, date))
            .orElseGet(() -> noPreviousSnapshot(tiered));
    // snapshots written before tier models were kept have no tier_model_id
    Optional<String> previousModel =
        previousDate.isPresent() && Arrays.asList(previousRows.columns()).contains(TIER_MODEL_ID)
            ? previousRows
                .select(TIER_MODEL_ID)
                .filter(col(TIER_MODEL_ID).isNotNull())
                .limit(1)
                .as(Encoders.STRING())
                .collectAsList()
                .stream()
                .findFirst()
            : Optional.empty();
    TierMigration.Result migration =
        new TierMigration(previousDate, tierModelId, previousModel)
            .apply(customers, previousRows.select(CUSTOMER_ID, TIER, TIER_NAME));
    Optional<Dataset<Row>> previousChurn =
        previousDate.map(
            date ->
                withPreviousClv(
                    previousRows.select(
                        col(CUSTOMER_ID), col(LIFECYCLE_STAGE).as(PREVIOUS_LIFECYCLE_STAGE)),
                    date));
    return new Result(
        ChurnWatch.withPrevious(migration.customers(), previousChurn),
        migration.migration(),
        previousDate.isPresent(),
        joined);
  }

  /**
   * The previous snapshot's P(alive) and CLV beside its customers (null when it had no CLV, or
   * another horizon).
   */
  private Dataset<Row> withPreviousClv(Dataset<Row> previous, LocalDate date) {
    if (!tables.exists(Tables.CUSTOMER_CLV)) {
      return previous
          .withColumn(PREVIOUS_P_ALIVE, lit(null).cast("double"))
          .withColumn(PREVIOUS_CLV_VALUE, lit(null).cast("double"));
    }
    Dataset<Row> clv = tables.readSnapshot(Tables.CUSTOMER_CLV, date);
    Column value =
        Arrays.asList(clv.columns()).contains(clvColumn)
            ? col(clvColumn).cast("double")
            : lit(null).cast("double");
    return previous.join(
        clv.select(
            col(CUSTOMER_ID), col(P_ALIVE).as(PREVIOUS_P_ALIVE), value.as(PREVIOUS_CLV_VALUE)),
        CUSTOMER_ID,
        "left");
  }

  /**
   * An empty previous snapshot of its own lineage: one derived from this snapshot's customers would
   * make the migration join a self-join, which Spark resolves to a trivially true predicate.
   */
  private static Dataset<Row> noPreviousSnapshot(Dataset<Row> customers) {
    StructType schema =
        new StructType()
            .add(CUSTOMER_ID, DataTypes.StringType)
            .add(TIER, DataTypes.IntegerType)
            .add(TIER_NAME, DataTypes.StringType);
    return customers.sparkSession().createDataFrame(List.of(), schema);
  }

  private Optional<LocalDate> previousSnapshot(LocalDate snapshot) {
    return Optional.ofNullable(tables.snapshotDates(Tables.CUSTOMER_RFM).lower(snapshot));
  }
}
