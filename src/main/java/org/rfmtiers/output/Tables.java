package org.rfmtiers.output;

import static org.rfmtiers.Columns.*;
import static org.rfmtiers.Money.decimal;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rfmtiers.Money;

/** The schemas of every table the job writes, with the column comments BI tools display. */
public final class Tables {
  public static final String CUSTOMER_RFM = "customer_rfm";
  public static final String TIER_SUMMARY = "tier_summary";
  public static final String SCORE_THRESHOLDS = "score_thresholds";
  public static final String REJECTED_TRANSACTIONS = "rejected_transactions";
  public static final String RUN_LOG = "run_log";
  public static final String CUSTOMER_CLV = "customer_clv";
  public static final String CLV_MODEL = "clv_model";
  public static final String SEGMENT_SUMMARY = "segment_summary";
  public static final String CUSTOMER_TIERS_CURRENT = "customer_tiers_current";
  public static final String TIER_MIGRATION = "tier_migration";
  public static final String TIER_MODEL = "tier_model";
  public static final String CHURN_WATCH = "churn_watch";
  public static final String CHURN_SUMMARY = "churn_summary";
  public static final String COHORT_RETENTION = "cohort_retention";

  /** The tables partitioned by snapshot_date, one snapshot per run. */
  public static final List<String> SNAPSHOT_TABLES =
      List.of(
          CUSTOMER_RFM,
          TIER_SUMMARY,
          SCORE_THRESHOLDS,
          SEGMENT_SUMMARY,
          TIER_MIGRATION,
          CUSTOMER_CLV,
          CLV_MODEL,
          CHURN_WATCH,
          CHURN_SUMMARY,
          COHORT_RETENTION,
          REJECTED_TRANSACTIONS);

  public static final String STATE_LINES = "state_lines";
  public static final String STATE_CUSTOMERS = "state_customers";
  public static final String STATE_LOG = "state_log";

  /** The state of {@code run --incremental}: not for BI, kept by the job between runs. */
  public static final List<String> STATE_TABLES = List.of(STATE_LINES, STATE_CUSTOMERS, STATE_LOG);

  /** Every table the job writes for BI (the state tables aside). */
  public static final List<String> ALL =
      List.of(
          CUSTOMER_RFM,
          TIER_SUMMARY,
          SCORE_THRESHOLDS,
          SEGMENT_SUMMARY,
          TIER_MIGRATION,
          CUSTOMER_CLV,
          CLV_MODEL,
          CUSTOMER_TIERS_CURRENT,
          CHURN_WATCH,
          CHURN_SUMMARY,
          COHORT_RETENTION,
          REJECTED_TRANSACTIONS,
          RUN_LOG,
          TIER_MODEL);

  private static final DataType STRING = DataTypes.StringType;
  private static final DataType INT = DataTypes.IntegerType;
  private static final DataType LONG = DataTypes.LongType;
  private static final DataType DOUBLE = DataTypes.DoubleType;
  private static final DataType DATE = DataTypes.DateType;

  private Tables() {}

  public static TableSchema customerRfm(int scale) {
    return TableSchema.table(
            CUSTOMER_RFM,
            "One row per customer per snapshot: RFM features, 1-5 scores and the k-means value tier.")
        .column(
            SNAPSHOT_DATE,
            DATE,
            "As-of date of the snapshot; only transactions before it count (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot (see run_log)")
        .column(CUSTOMER_ID, STRING, "Customer id as read from the input, trimmed")
        .column(FIRST_PURCHASE_DATE, DATE, "Date of the first purchase")
        .column(LAST_PURCHASE_DATE, DATE, "Date of the most recent purchase")
        .column(
            RECENCY_DAYS,
            INT,
            "Days from the last purchase date to the snapshot date (1 = bought the day before)")
        .column(
            FREQUENCY,
            LONG,
            "Distinct purchase orders (or purchase days, per features.frequency-basis); returns never count")
        .column(PURCHASE_DAYS, LONG, "Distinct days with a purchase")
        .column(
            MONETARY,
            decimal(scale),
            "Total spend: purchases, minus returns when returns.policy = net")
        .column(
            AVG_ORDER_VALUE,
            decimal(scale),
            "monetary / frequency, rounded half-up to the money scale")
        .column(TENURE_DAYS, INT, "Days from the first purchase date to the snapshot date")
        .column(RETURN_COUNT, LONG, "Number of return or cancellation lines")
        .column(
            RETURNED_AMOUNT,
            decimal(scale),
            "Total value of returns and cancellations, as a positive number")
        .column(
            CURRENT_VALUE,
            decimal(scale),
            "Spend over the last segments.matrix.current-window-days days")
        .column(ORDERS_RECENT, LONG, "Orders in the last segments.lifecycle.trend-window-days days")
        .column(ORDERS_PRIOR, LONG, "Orders in the trend window before that")
        .column(
            MEAN_PURCHASE_GAP_DAYS,
            DOUBLE,
            "Mean days between purchase days (null for one purchase day)")
        .column(
            R_SCORE,
            INT,
            "Recency score 1-5, 5 = most recent (quintile of customers, or fixed cut points)")
        .column(F_SCORE, INT, "Frequency score 1-5, 5 = most frequent")
        .column(M_SCORE, INT, "Monetary score 1-5, 5 = highest spend")
        .column(RFM_CELL, STRING, "The three scores as one code, e.g. \"545\" = R 5, F 4, M 5")
        .column(RFM_SCORE, INT, "r_score + f_score + m_score (3-15)")
        .column(
            CLUSTER_ID,
            INT,
            "Raw k-means cluster index (not comparable across snapshots; use tier)")
        .column(
            TIER,
            INT,
            "Value tier id, kept from night to night by the tier model (1 = most valuable when the"
                + " model was first trained; tier_summary.tier_rank orders the current model)")
        .column(
            TIER_NAME,
            STRING,
            "Display name of the tier: its R/F/M profile's name (tiers.profile-names), or tiers.names")
        .column(
            TIER_MODEL_ID, STRING, "The tier model that assigned the tier (tier_model.model_id)")
        .column(
            PREVIOUS_TIER,
            INT,
            "Tier in the previous snapshot (null: new customer or first snapshot)")
        .column(
            RFM_SEGMENT,
            STRING,
            "One of the 8 classic RFM segments, e.g. IMPORTANT_VALUE (stable code)")
        .column(RFM_SEGMENT_NAME, STRING, "Segment label in segments.language")
        .column(RFM_SEGMENT_ACTION, STRING, "Recommended action for the segment")
        .column(CUSTOMER_LAYER, STRING, "Customer pyramid layer: VIP, MAJOR, ORDINARY or SMALL")
        .column(CUSTOMER_LAYER_NAME, STRING, "Pyramid layer label in segments.language")
        .column(
            FUTURE_VALUE,
            decimal(scale),
            "Future value: CLV over the horizon, or the RFM proxy (future_value_source)")
        .column(FUTURE_VALUE_SOURCE, STRING, "clv or rfm_proxy")
        .column(VALUE_MATRIX, STRING, "Current x future value: VIP, DEVELOP, MAINTAIN or ABANDON")
        .column(VALUE_MATRIX_NAME, STRING, "Value matrix label in segments.language")
        .column(LIFECYCLE_STAGE, STRING, "EXPLORATION, FORMATION, STABILITY, DECLINE or CHURNED")
        .column(LIFECYCLE_STAGE_NAME, STRING, "Lifecycle label in segments.language")
        .column(
            ACTIVE_MONTHS,
            LONG,
            "Calendar months with a purchase, from the first purchase's month to the snapshot's")
        .column(
            LOYALTY_SCORE,
            DOUBLE,
            "Loyalty 0-1: mean of tenure (days / segments.quadrants.tenure-full-days, at most 1),"
                + " regularity (active_months / months since the first purchase) and retention"
                + " (P(alive) for repeat buyers, else 1 - recency / churn-days)")
        .column(
            LOYALTY_QUADRANT,
            STRING,
            "Loyalty x value: TRUE_FRIEND, BUTTERFLY (high value, low loyalty), BARNACLE (high"
                + " loyalty, low value) or STRANGER")
        .column(LOYALTY_QUADRANT_NAME, STRING, "Quadrant label in segments.language")
        .column(LOYALTY_QUADRANT_ACTION, STRING, "Recommended action for the quadrant")
        .partitionedBy(SNAPSHOT_DATE)
        // the id (lookups; maintain Z-orders by it) and the codes dashboards filter on, not the
        // money columns
        .statsColumns(
            CUSTOMER_ID,
            R_SCORE,
            F_SCORE,
            M_SCORE,
            TIER,
            RFM_SEGMENT,
            CUSTOMER_LAYER,
            VALUE_MATRIX,
            LIFECYCLE_STAGE,
            LOYALTY_QUADRANT)
        .build();
  }

  /** customer_rfm's latest snapshot, rewritten after every run: dashboards need no date filter. */
  public static TableSchema customerTiersCurrent(int scale) {
    TableSchema rfm = customerRfm(scale);
    return rfm.as(
        CUSTOMER_TIERS_CURRENT,
        "The latest snapshot of customer_rfm (same columns), replaced atomically after every run.",
        Optional.empty());
  }

  public static TableSchema segmentSummary(int scale) {
    return TableSchema.table(
            SEGMENT_SUMMARY,
            "Per snapshot, scheme and segment: size, revenue share and mean R/F/M.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(
            SCHEME,
            STRING,
            "rfm_segment, customer_layer, value_matrix, lifecycle_stage or loyalty_quadrant")
        .column(SEGMENT, STRING, "Stable segment code")
        .column(SEGMENT_NAME, STRING, "Label in segments.language")
        .column(CUSTOMERS, LONG, "Customers in the segment")
        .column(CUSTOMER_SHARE, DOUBLE, "Share of the snapshot's customers (0-1)")
        .column(REVENUE, decimal(scale), "Sum of monetary")
        .column(
            REVENUE_SHARE,
            DOUBLE,
            "Share of the snapshot's monetary (0-1); for customer_layer the 80/20 check")
        .column(MEAN_RECENCY_DAYS, DOUBLE, "Mean recency_days")
        .column(MEAN_FREQUENCY, DOUBLE, "Mean frequency")
        .column(MEAN_MONETARY, decimal(scale), "Mean monetary, rounded half-up to the money scale")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema churnWatch(int scale) {
    return TableSchema.table(
            CHURN_WATCH,
            "Per snapshot: churn early warning, the customers at risk of leaving with their reasons,"
                + " ranked by value at risk.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(WATCH_RANK, INT, "1 = the largest value at risk")
        .column(CUSTOMER_ID, STRING, "Customer id")
        .column(
            REASONS,
            STRING,
            "Comma-separated codes: P_ALIVE_LOW (below churn.alert-p-alive), P_ALIVE_DROP (fell by"
                + " more than churn.alert-drop), LIFECYCLE_DECLINE, LIFECYCLE_CHURNED (moved into the"
                + " stage since the previous snapshot), OVERDUE (no purchase for"
                + " churn.overdue-gap-multiple usual gaps)")
        .column(
            VALUE_AT_RISK,
            decimal(scale),
            "monetary x (1 - p_alive); the whole monetary when CLV did not run")
        .column(P_ALIVE, DOUBLE, "P(alive) tonight (null without CLV)")
        .column(PREVIOUS_P_ALIVE, DOUBLE, "P(alive) at the previous snapshot")
        .column(DAYS_OVERDUE, INT, "recency_days - usual gap, at least 0 (null: one purchase day)")
        .column(LIFECYCLE_STAGE, STRING, "Lifecycle stage tonight")
        .column(PREVIOUS_LIFECYCLE_STAGE, STRING, "Lifecycle stage at the previous snapshot")
        .column(CLV_VALUE, DOUBLE, "CLV over clv.horizon tonight (null without CLV)")
        .column(CLV_LOST, DOUBLE, "CLV at the previous snapshot minus tonight's (negative: gained)")
        .column(RECENCY_DAYS, INT, "Days since the last purchase")
        .column(
            MEAN_PURCHASE_GAP_DAYS,
            DOUBLE,
            "The customer's usual gap: mean days between purchase days")
        .column(MONETARY, decimal(scale), "Total spend (customer_rfm.monetary)")
        .column(TIER, INT, "Value tier")
        .column(TIER_NAME, STRING, "Tier name")
        .column(RFM_SEGMENT, STRING, "RFM segment code")
        .column(RFM_SEGMENT_NAME, STRING, "RFM segment label")
        .column(RFM_SEGMENT_ACTION, STRING, "The segment's recommended action")
        .partitionedBy(SNAPSHOT_DATE)
        .statsColumns(WATCH_RANK, CUSTOMER_ID, TIER, RFM_SEGMENT)
        .build();
  }

  public static TableSchema churnSummary(int scale) {
    return TableSchema.table(
            CHURN_SUMMARY,
            "Per snapshot, over all customers and per tier and RFM segment: churn rate since the"
                + " previous snapshot and the value at risk of the churn watch.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(SCHEME, STRING, "all, tier or rfm_segment (the customers' group tonight)")
        .column(SEGMENT, STRING, "ALL, the tier id or the RFM segment code")
        .column(SEGMENT_NAME, STRING, "Label in segments.language")
        .column(CUSTOMERS, LONG, "Customers tonight")
        .column(
            ALIVE_PREVIOUSLY,
            LONG,
            "Of them, in the previous snapshot and not CHURNED there (null: first snapshot)")
        .column(CHURNED, LONG, "Of those, CHURNED tonight")
        .column(CHURN_RATE, DOUBLE, "churned / alive_previously (0-1)")
        .column(WATCHED, LONG, "Customers in churn_watch")
        .column(REVENUE_AT_RISK, decimal(scale), "Sum of the watched customers' value_at_risk")
        .column(CLV_LOST, DOUBLE, "Sum of the watched customers' clv_lost")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema cohortRetention(int scale) {
    return TableSchema.table(
            COHORT_RETENTION,
            "Per snapshot: customers by month of first purchase x months since, observed retention"
                + " and revenue beside the BG/NBD expectation.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(COHORT_MONTH, DATE, "First day of the month of the customers' first purchase")
        .column(MONTHS_SINCE_FIRST, INT, "0 = the cohort's own month")
        .column(PERIOD_MONTH, DATE, "First day of the calendar month of the cell")
        .column(
            PERIOD_COMPLETE,
            DataTypes.BooleanType,
            "false for the snapshot's own month, counted up to the snapshot date only")
        .column(COHORT_CUSTOMERS, LONG, "Customers of the cohort")
        .column(ACTIVE_CUSTOMERS, LONG, "Of them, with a purchase in the month")
        .column(RETENTION_RATE, DOUBLE, "active_customers / cohort_customers (month 0: 1)")
        .column(
            EXPECTED_ACTIVE_SHARE,
            DOUBLE,
            "BG/NBD: expected share of the cohort with a purchase in the month (null without CLV)")
        .column(
            EXPECTED_ALIVE_SHARE,
            DOUBLE,
            "BG/NBD: expected share of the cohort still alive at the end of the month")
        .column(
            REVENUE,
            decimal(scale),
            "The cohort's revenue in the month (returns per returns.policy)")
        .column(REVENUE_PER_CUSTOMER, decimal(scale), "revenue / cohort_customers")
        .column(
            CUMULATIVE_REVENUE_PER_CUSTOMER,
            decimal(scale),
            "Revenue from month 0 to this one / cohort_customers")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema tierMigration() {
    return TableSchema.table(
            TIER_MIGRATION,
            "Per snapshot: customers moving from each tier of the previous snapshot to each tier of this one.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of this snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(
            PREVIOUS_SNAPSHOT_DATE, DATE, "The latest earlier snapshot (null for the first one)")
        .column(FROM_TIER, INT, "Tier in the previous snapshot (null: new customer)")
        .column(FROM_TIER_NAME, STRING, "Name of from_tier")
        .column(TO_TIER, INT, "Tier in this snapshot (null: customer lost)")
        .column(TO_TIER_NAME, STRING, "Name of to_tier")
        .column(MOVEMENT, STRING, "new, lost, up, down or same (tier 1 is the most valuable)")
        .column(CUSTOMERS, LONG, "Customers making this move")
        .column(TIER_MODEL_ID, STRING, "The tier model of this snapshot")
        .column(
            PREVIOUS_TIER_MODEL_ID, STRING, "The tier model of the previous snapshot (null: none)")
        .column(
            MODEL_RETRAINED,
            DataTypes.BooleanType,
            "The two snapshots have different tier models: the tiers were retrained in between"
                + " (tier_model.matching says which tiers were kept)")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema tierSummary(int scale) {
    return TableSchema.table(
            TIER_SUMMARY,
            "Per snapshot and value tier: size, revenue share, R/F/M statistics and the k-means centre.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(TIER, INT, "Value tier id (stable across nights of one tier model)")
        .column(TIER_NAME, STRING, "Display name of the tier")
        .column(CLUSTER_ID, INT, "Raw k-means cluster index of the tier")
        .column(CUSTOMERS, LONG, "Customers in the tier")
        .column(CUSTOMER_SHARE, DOUBLE, "Share of all customers in the snapshot (0-1)")
        .column(REVENUE, decimal(scale), "Sum of monetary over the tier")
        .column(REVENUE_SHARE, DOUBLE, "Share of the snapshot's total monetary (0-1)")
        .column(MEAN_RECENCY_DAYS, DOUBLE, "Mean recency_days")
        .column(MEDIAN_RECENCY_DAYS, DOUBLE, "Median recency_days")
        .column(MEAN_FREQUENCY, DOUBLE, "Mean frequency")
        .column(MEDIAN_FREQUENCY, DOUBLE, "Median frequency")
        .column(MEAN_MONETARY, decimal(scale), "Mean monetary, rounded half-up to the money scale")
        .column(MEDIAN_MONETARY, decimal(scale), "Median monetary, rounded half-up likewise")
        .column(CENTRE_RECENCY_DAYS, DOUBLE, "k-means centre mapped back to days (from log scale)")
        .column(CENTRE_FREQUENCY, DOUBLE, "k-means centre mapped back to orders")
        .column(CENTRE_MONETARY, decimal(scale), "k-means centre mapped back to money")
        .column(TIER_CODE, STRING, "Profile name code, e.g. CHAMPIONS (null: tiers.naming = rank)")
        .column(
            R_LEVEL,
            STRING,
            "H, M or L: the tier's median customer's recency among all customers (H = recent)")
        .column(
            F_LEVEL,
            STRING,
            "H, M or L: the tier's median customer's frequency among all customers")
        .column(
            M_LEVEL, STRING, "H, M or L: the tier's median customer's monetary among all customers")
        .column(
            TIER_RANK, INT, "1 = the most valuable tier of the model (tier_model.value_criterion)")
        .column(TIER_MODEL_ID, STRING, "The tier model of the snapshot")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema scoreThresholds() {
    return TableSchema.table(
            SCORE_THRESHOLDS,
            "Per snapshot, metric and score: the value range that received the score.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(METRIC, STRING, "recency_days, frequency or monetary")
        .column(SCORE, INT, "Score 1-5 (5 = best; for recency, the most recent)")
        .column(
            MIN_VALUE,
            DOUBLE,
            "Smallest value with this score (quantile) or lower cut point, exclusive (fixed)")
        .column(
            MAX_VALUE,
            DOUBLE,
            "Largest value with this score (quantile) or upper cut point, inclusive (fixed)")
        .column(CUSTOMERS, LONG, "Customers with this score")
        .column(
            METHOD,
            STRING,
            "quantile: equal-count bins computed this run; fixed: cut points from scores.thresholds")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema rejectedTransactions() {
    return TableSchema.table(
            REJECTED_TRANSACTIONS,
            "Input rows that failed validation, with their raw values and the reason.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the run that read the row (partition column)")
        .column(RUN_ID, STRING, "Run that rejected the row")
        .column(SOURCE_FILE, STRING, "File the row came from")
        .column(
            REJECT_REASON,
            STRING,
            "Reason code, e.g. MISSING_CUSTOMER_ID, BAD_TIMESTAMP, BAD_AMOUNT (see README)")
        .column(RAW_CUSTOMER_ID, STRING, "Customer id exactly as read")
        .column(RAW_ORDER_ID, STRING, "Order id exactly as read")
        .column(RAW_ORDER_TS, STRING, "Timestamp exactly as read")
        .column(RAW_AMOUNT, STRING, "Amount exactly as read")
        .column(RAW_QUANTITY, STRING, "Quantity exactly as read")
        .column(RAW_UNIT_PRICE, STRING, "Unit price exactly as read")
        .column(RAW_TRANSACTION_ID, STRING, "Line id exactly as read")
        .column(RAW_RECORD, STRING, "The whole line, for rows that could not be split into columns")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  /**
   * Per-customer CLV; the horizon-named columns follow clv.horizon (e.g. clv_12m for "12 months").
   */
  public static TableSchema customerClv(String horizonLabel, int scale) {
    return TableSchema.table(
            CUSTOMER_CLV,
            "One row per customer per snapshot: BG/NBD + Gamma-Gamma probability alive, expected purchases and CLV.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that wrote this snapshot")
        .column(
            CUSTOMER_ID,
            STRING,
            "Customer id (joins customer_rfm on customer_id and snapshot_date)")
        .column(REPEAT_PURCHASE_DAYS, INT, "x: distinct purchase days after the first one")
        .column(TIME_TO_LAST_PURCHASE, DOUBLE, "t_x: first to last purchase day, in time_unit")
        .column(
            CUSTOMER_AGE,
            DOUBLE,
            "T: first purchase day to the day before the snapshot, in time_unit")
        .column(
            REPEAT_AVG_VALUE,
            decimal(scale),
            "m_x: mean spend per repeat purchase day (null without repeats)")
        .column(
            P_ALIVE,
            DOUBLE,
            "Probability the customer is still active (BG/NBD); below 1e-12 written as 0")
        .column(EXPECTED_NEXT, DOUBLE, "Expected purchase days in the next time_unit")
        .column(
            EXPECTED_PURCHASES_PREFIX + horizonLabel,
            DOUBLE,
            "Expected purchase days over the horizon " + horizonLabel)
        .column(
            EXPECTED_AOV,
            decimal(scale),
            "Expected spend per purchase day (Gamma-Gamma), rounded to the money scale")
        .column(
            CLV_PREFIX + horizonLabel,
            decimal(scale),
            "Discounted expected value over the horizon " + horizonLabel + " x clv.margin")
        .column(TIME_UNIT, STRING, "days or weeks: the unit of the model's times")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema clvModel() {
    return TableSchema.table(
            CLV_MODEL,
            "Per snapshot: the fitted BG/NBD and Gamma-Gamma parameters and fit diagnostics.")
        .column(SNAPSHOT_DATE, DATE, "As-of date of the snapshot (partition column)")
        .column(RUN_ID, STRING, "Run that fitted the models")
        .column(TIME_UNIT, STRING, "days or weeks")
        .column(HORIZON, STRING, "Prediction horizon, e.g. 12m")
        .column(DISCOUNT_RATE, DOUBLE, "Annual discount rate")
        .column(MARGIN, DOUBLE, "Profit margin applied to CLV")
        .column(PENALIZER, DOUBLE, "L2 penalty used in both fits")
        .column(BGNBD_R, DOUBLE, "BG/NBD: shape of the purchase-rate Gamma")
        .column(BGNBD_ALPHA, DOUBLE, "BG/NBD: scale of the purchase-rate Gamma, in time_unit")
        .column(BGNBD_A, DOUBLE, "BG/NBD: Beta dropout parameter a")
        .column(BGNBD_B, DOUBLE, "BG/NBD: Beta dropout parameter b")
        .column(BGNBD_LOG_LIKELIHOOD, DOUBLE, "BG/NBD log-likelihood at the optimum")
        .column(BGNBD_CUSTOMERS, LONG, "Customers in the BG/NBD fit")
        .column(BGNBD_GROUPS, INT, "Distinct (x, t_x, T) groups evaluated")
        .column(BGNBD_EVALUATIONS, INT, "Likelihood evaluations used")
        .column(GG_P, DOUBLE, "Gamma-Gamma: shape of spend per transaction")
        .column(GG_Q, DOUBLE, "Gamma-Gamma: shape of the scale's Gamma")
        .column(GG_GAMMA, DOUBLE, "Gamma-Gamma: scale of the scale's Gamma")
        .column(GG_LOG_LIKELIHOOD, DOUBLE, "Gamma-Gamma log-likelihood at the optimum")
        .column(GG_CUSTOMERS, LONG, "Repeat buyers in the Gamma-Gamma fit")
        .column(GG_EVALUATIONS, INT, "Likelihood evaluations used")
        .column(FIT_MS, LONG, "Wall time of both fits, including grouping on the executors")
        .partitionedBy(SNAPSHOT_DATE)
        .build();
  }

  public static TableSchema runLog(int scale) {
    return TableSchema.table(
            RUN_LOG,
            "One row per run, successful or failed: inputs, counts, model choice, timings, reconciliation.")
        .column(RUN_ID, STRING, "Unique id of the run")
        .column(
            SNAPSHOT_DATE,
            DATE,
            "As-of date of the snapshot (null if the run failed before choosing it)")
        .column(STATUS, STRING, "succeeded or failed")
        .column(FAILURE_REASON, STRING, "One-line reason when status = failed")
        .column(STARTED_AT, DataTypes.TimestampType, "Start of the run")
        .column(FINISHED_AT, DataTypes.TimestampType, "End of the run")
        .column(INPUT_URI, STRING, "Input as given")
        .column(INPUT_FORMAT, STRING, "csv, parquet, delta or text")
        .column(
            INPUT_FILES,
            DataTypes.createArrayType(STRING),
            "The fixed file listing the run read (Delta: table@version)")
        .column(ROWS_READ, LONG, "Rows read from the input")
        .column(ROWS_VALID, LONG, "Rows that passed validation")
        .column(ROWS_REJECTED, LONG, "Rows written to rejected_transactions")
        .column(
            ROWS_AFTER_AS_OF,
            LONG,
            "Valid rows on or after the snapshot date, ignored by this snapshot")
        .column(CUSTOMERS, LONG, "Customers in customer_rfm")
        .column(K, INT, "Number of value tiers")
        .column(
            K_SELECTION,
            STRING,
            "auto (silhouette), fixed (tiers.k) or reduced (too few distinct customers)")
        .column(SILHOUETTE, DOUBLE, "Silhouette of the chosen k on the selection sample")
        .column(
            SILHOUETTE_BY_K,
            DataTypes.createMapType(INT, DOUBLE),
            "Silhouette of every candidate k")
        .column(
            STAGE_MS, DataTypes.createMapType(STRING, LONG), "Wall time per stage in milliseconds")
        .column(RETURNS_POLICY, STRING, "exclude or net")
        .column(
            VALID_AMOUNT,
            decimal(scale),
            "Sum of valid amounts before the snapshot date counted by the policy")
        .column(MONETARY_TOTAL, decimal(scale), "Sum of monetary over customer_rfm")
        .column(
            UNATTRIBUTED_AMOUNT,
            decimal(scale),
            "Returns of customers with no purchase (net policy), not in any monetary")
        .column(
            RECONCILED,
            DataTypes.BooleanType,
            "valid_amount = monetary_total + anonymous_amount + unattributed_amount")
        .column(WARNINGS, DataTypes.createArrayType(STRING), "Warnings raised during the run")
        .column(SETTINGS, STRING, "Effective settings of the run")
        .column(
            MODE,
            STRING,
            "full, incremental (run --incremental on its state), or full with the reason the"
                + " incremental state was rebuilt")
        .column(TIER_MODEL_ID, STRING, "The tier model that assigned this run's tiers")
        .column(TIER_MODEL_ACTION, STRING, "trained (this run trained the tier model) or reused")
        .column(
            TIER_MODEL_REASON,
            STRING,
            "Why the tier model was trained (null when reused), e.g. drift: population stability"
                + " index of monetary 0.31 > tiers.drift.max-psi 0.25")
        .column(
            TIER_DRIFT,
            DataTypes.createMapType(STRING, DOUBLE),
            "Drift of the kept tier model on this run's customers: psi_recency, psi_frequency,"
                + " psi_monetary, cost_ratio")
        .column(
            ROWS_ANONYMOUS,
            LONG,
            "Valid rows without a customer id (input.anonymous = separate): in rows_valid, in no"
                + " customer")
        .column(
            ANONYMOUS_AMOUNT,
            decimal(scale),
            "Amount of the anonymous rows before the snapshot date, counted by the returns policy;"
                + " valid_amount = monetary_total + anonymous_amount + unattributed_amount")
        .build();
  }

  /** One row per trained tier model: what a night needs to score customers as it did. */
  public static TableSchema tierModel(int scale) {
    DataType doubles = DataTypes.createArrayType(DOUBLE);
    StructType tier =
        new StructType()
            .add(CLUSTER_ID, INT)
            .add(TIER, INT)
            .add(TIER_CODE, STRING)
            .add(TIER_SUFFIX, INT)
            .add(RANK_NAME, STRING)
            .add(TIER_RANK, INT)
            .add(R_LEVEL, STRING)
            .add(F_LEVEL, STRING)
            .add(M_LEVEL, STRING)
            .add(CENTRE_SCALED, doubles)
            .add(PERCENTILES, doubles)
            .add(CENTRE_RECENCY_DAYS, DOUBLE)
            .add(CENTRE_FREQUENCY, DOUBLE)
            .add(CENTRE_MONETARY, decimal(scale))
            .add(TIER_VALUE, DOUBLE);
    return TableSchema.table(
            TIER_MODEL,
            "Value-tier models, one row per training: feature transform (features in the order"
                + " recency_days, frequency, monetary: log1p, clipped to [winsorize_low,"
                + " winsorize_high], minus log_mean, over log_std), centres, names, and why the"
                + " model was trained. Nights reuse the latest model until it is retrained.")
        .column(MODEL_ID, STRING, "Model id, written to customer_rfm.tier_model_id")
        .column(TRAINED_SNAPSHOT_DATE, DATE, "Snapshot the model was trained on")
        .column(RUN_ID, STRING, "Run that trained the model")
        .column(TRAINED_AT, DataTypes.TimestampType, "When the model was recorded")
        .column(REASON, STRING, "Why it was trained: no model yet, --retrain, settings, age, drift")
        .column(K, INT, "Number of tiers")
        .column(K_SELECTION, STRING, "auto (silhouette), fixed (tiers.k) or reduced")
        .column(SILHOUETTE, DOUBLE, "Silhouette of the chosen k on the selection sample")
        .column(
            SILHOUETTE_BY_K,
            DataTypes.createMapType(INT, DOUBLE),
            "Silhouette of every candidate k")
        .column(SAMPLE_SIZE, LONG, "Customers in the selection sample")
        .column(TRAINING_CUSTOMERS, LONG, "Customers the centres were fitted on")
        .column(SEED, LONG, "tiers.seed")
        .column(SETTINGS, STRING, "The tier settings the model depends on")
        .column(
            VALUE_CRITERION,
            STRING,
            "What ranks the tiers: mean_clv (mean CLV of the tier), composite or monetary")
        .column(PREVIOUS_MODEL_ID, STRING, "The model this one replaced (null: the first)")
        .column(
            MATCHING,
            STRING,
            "How the new tiers matched the previous model's: kept ids (centre distance) and new"
                + " ones")
        .column(WINSORIZE_LOW, doubles, "Lower clip of log1p(feature), per feature")
        .column(WINSORIZE_HIGH, doubles, "Upper clip of log1p(feature), per feature")
        .column(LOG_MEAN, doubles, "Mean of the clipped log1p(feature), per feature")
        .column(LOG_STD, doubles, "Population standard deviation of the same, per feature")
        .column(
            TIERS,
            DataTypes.createArrayType(tier),
            "Per cluster (cluster_id = position): tier id, name code and suffix, rank by value,"
                + " R/F/M levels and percentiles, centre in scaled and original units, value")
        .column(
            PSI_EDGES,
            DataTypes.createArrayType(doubles),
            "Per feature: the training sample's decile edges (scaled), for the drift check")
        .column(
            PSI_SHARES,
            DataTypes.createArrayType(doubles),
            "Per feature: the training sample's share in each bin of psi_edges")
        .column(
            MODEL_PATH,
            STRING,
            "The MLlib KMeansModel (clusters in cluster_id order, scaled units): KMeansModel.load")
        .build();
  }

  /**
   * Valid input lines summed per file, customer, order, day and kind: what incremental runs
   * recompute from.
   */
  public static TableSchema stateLines(int scale) {
    return TableSchema.table(
            STATE_LINES,
            "Incremental state: valid transaction lines summed per file, customer,"
                + " order, day and kind. Folded in by MERGE; rebuilt by a full run with --incremental.")
        .column(SOURCE_FILE, STRING, "Input file of the lines")
        .column(CUSTOMER_ID, STRING, "Customer id")
        .column(ORDER_ID, STRING, "Order id (null without an order id column)")
        .column(ORDER_DATE, DATE, "Order date in input.time-zone")
        .column(IS_RETURN, DataTypes.BooleanType, "Return or cancellation lines")
        .column(AMOUNT, DataTypes.createDecimalType(28, scale), "Sum of the lines' signed amounts")
        .column(LINES, LONG, "Input lines summed into this row")
        .column(ORDER_MONTH, DATE, "First day of the order date's month (partition column)")
        .partitionedBy(ORDER_MONTH)
        .build();
  }

  /**
   * Per-customer sums as of the state's snapshot date; the windowed columns are recomputed each
   * run.
   */
  public static TableSchema stateCustomers(int scale) {
    return TableSchema.table(
            STATE_CUSTOMERS,
            "Incremental state: per-customer sums before the snapshot date of"
                + " the state_log row that names this table version.")
        .column(CUSTOMER_ID, STRING, "Customer id")
        .column(FIRST_PURCHASE_DATE, DATE, "First purchase date (null: returns only)")
        .column(LAST_PURCHASE_DATE, DATE, "Last purchase date")
        .column(FREQUENCY, LONG, "Distinct purchase orders (or days)")
        .column(PURCHASE_DAYS, LONG, "Distinct purchase days")
        .column(MONETARY, decimal(scale), "Spend per returns.policy")
        .column(RETURN_COUNT, LONG, "Return lines")
        .column(RETURNED_AMOUNT, decimal(scale), "Returned value, positive")
        .column(
            CURRENT_VALUE,
            decimal(scale),
            "Spend in the current-value window before the snapshot date")
        .column(ORDERS_RECENT, LONG, "Orders in the last trend window")
        .column(ORDERS_PRIOR, LONG, "Orders in the trend window before that")
        .column(DAY_SPEND, Money.SPEND, "Spend of all purchase days (CLV input)")
        .column(FIRST_DAY_SPEND, Money.SPEND, "Spend of the first purchase day (CLV input)")
        .build();
  }

  /** One row per committed incremental state: the commit point of run --incremental. */
  public static TableSchema stateLog(int scale) {
    return TableSchema.table(
            STATE_LOG,
            "Incremental state commits: which snapshot, files and settings the state holds.")
        .column(RUN_ID, STRING, "Run that committed the state")
        .column(SNAPSHOT_DATE, DATE, "As-of date of state_customers at customers_version")
        .column(COMMITTED_AT, DataTypes.TimestampType, "When the state was committed")
        .column(
            SETTINGS_FINGERPRINT,
            STRING,
            "Settings the sums depend on (input, validation, returns, features)")
        .column(
            FILES,
            DataTypes.createArrayType(
                new StructType().add("path", STRING).add("size", LONG).add("modified", LONG)),
            "Input files folded into state_lines")
        .column(CUSTOMERS_VERSION, LONG, "Delta version of state_customers as of snapshot_date")
        .column(LATEST_ORDER_DATE, DATE, "Latest valid order date in state_lines")
        .column(
            VALID_AMOUNT,
            decimal(scale),
            "Valid amount before snapshot_date counted by the returns policy")
        .column(ROWS_AFTER_AS_OF, LONG, "Valid lines dated on or after snapshot_date")
        .column(
            ANONYMOUS_AMOUNT,
            decimal(scale),
            "Of valid_amount, the lines without a customer id (null: none were kept)")
        .build();
  }
}
