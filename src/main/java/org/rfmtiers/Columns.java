package org.rfmtiers;

/**
 * Every column name the job reads internally or writes to a table, defined once. BI dashboards and
 * scheduled jobs outside the project depend on the output names: add names, never rename them.
 */
public final class Columns {
  private Columns() {}

  // Shared by every snapshot table.
  public static final String SNAPSHOT_DATE = "snapshot_date";
  public static final String RUN_ID = "run_id";

  // Raw columns produced by ingest, kept as text so a reject can show exactly what was read.
  public static final String RAW_CUSTOMER_ID = "raw_customer_id";
  public static final String RAW_ORDER_ID = "raw_order_id";
  public static final String RAW_ORDER_TS = "raw_order_ts";
  public static final String RAW_AMOUNT = "raw_amount";
  public static final String RAW_QUANTITY = "raw_quantity";
  public static final String RAW_UNIT_PRICE = "raw_unit_price";
  public static final String RAW_TRANSACTION_ID = "raw_transaction_id";
  public static final String RAW_RECORD = "raw_record";
  public static final String TYPED_ORDER_TS = "typed_order_ts";

  /** Amount, quantity and unit price as the input typed them (decimal or integer), when it did. */
  public static final String TYPED_AMOUNT = "typed_amount";

  public static final String TYPED_QUANTITY = "typed_quantity";
  public static final String TYPED_UNIT_PRICE = "typed_unit_price";
  public static final String SOURCE_FILE = "source_file";
  public static final String REJECT_REASON = "reject_reason";

  /**
   * Helper column of validated lines: a rejected line's file and raw values (null on valid lines).
   */
  public static final String PACKED_REJECT = "_rfm_rejected";

  // Validated transactions.
  public static final String CUSTOMER_ID = "customer_id";
  public static final String ORDER_ID = "order_id";
  public static final String ORDER_TS = "order_ts";
  public static final String ORDER_DATE = "order_date";
  public static final String AMOUNT = "amount";
  public static final String IS_RETURN = "is_return";
  public static final String TRANSACTION_ID = "transaction_id";

  /** Input lines a pre-summed transaction row stands for (incremental state). */
  public static final String LINES = "lines";

  public static final String ORDER_MONTH = "order_month";

  // customer_rfm features.
  public static final String FIRST_PURCHASE_DATE = "first_purchase_date";
  public static final String LAST_PURCHASE_DATE = "last_purchase_date";
  public static final String RECENCY_DAYS = "recency_days";
  public static final String FREQUENCY = "frequency";
  public static final String MONETARY = "monetary";
  public static final String AVG_ORDER_VALUE = "avg_order_value";
  public static final String TENURE_DAYS = "tenure_days";
  public static final String PURCHASE_DAYS = "purchase_days";
  public static final String RETURN_COUNT = "return_count";
  public static final String RETURNED_AMOUNT = "returned_amount";
  public static final String CURRENT_VALUE = "current_value";
  public static final String ORDERS_RECENT = "orders_recent";
  public static final String ORDERS_PRIOR = "orders_prior";
  public static final String MEAN_PURCHASE_GAP_DAYS = "mean_purchase_gap_days";

  // Segments.
  public static final String RFM_SEGMENT = "rfm_segment";
  public static final String RFM_SEGMENT_NAME = "rfm_segment_name";
  public static final String RFM_SEGMENT_ACTION = "rfm_segment_action";
  public static final String CUSTOMER_LAYER = "customer_layer";
  public static final String CUSTOMER_LAYER_NAME = "customer_layer_name";
  public static final String FUTURE_VALUE = "future_value";
  public static final String FUTURE_VALUE_SOURCE = "future_value_source";
  public static final String VALUE_MATRIX = "value_matrix";
  public static final String VALUE_MATRIX_NAME = "value_matrix_name";
  public static final String LIFECYCLE_STAGE = "lifecycle_stage";
  public static final String LIFECYCLE_STAGE_NAME = "lifecycle_stage_name";
  public static final String PREVIOUS_TIER = "previous_tier";
  public static final String CLV_VALUE = "clv_value";

  // Loyalty x value quadrants (customer_rfm, segment_summary scheme loyalty_quadrant).
  public static final String ACTIVE_MONTHS = "active_months";
  public static final String LOYALTY_SCORE = "loyalty_score";
  public static final String LOYALTY_QUADRANT = "loyalty_quadrant";
  public static final String LOYALTY_QUADRANT_NAME = "loyalty_quadrant_name";
  public static final String LOYALTY_QUADRANT_ACTION = "loyalty_quadrant_action";

  // Tables.CHURN_WATCH and CHURN_SUMMARY.
  public static final String WATCH_RANK = "watch_rank";
  public static final String REASONS = "reasons";
  public static final String PREVIOUS_P_ALIVE = "previous_p_alive";
  public static final String PREVIOUS_LIFECYCLE_STAGE = "previous_lifecycle_stage";
  public static final String PREVIOUS_CLV_VALUE = "previous_clv_value";
  public static final String DAYS_OVERDUE = "days_overdue";
  public static final String CLV_LOST = "clv_lost";
  public static final String VALUE_AT_RISK = "value_at_risk";
  public static final String ALIVE_PREVIOUSLY = "alive_previously";
  public static final String CHURNED = "churned";
  public static final String CHURN_RATE = "churn_rate";
  public static final String WATCHED = "watched";
  public static final String REVENUE_AT_RISK = "revenue_at_risk";

  // Tables.COHORT_RETENTION; PURCHASED is the per customer-month flag it is built from.
  public static final String COHORT_MONTH = "cohort_month";
  public static final String MONTHS_SINCE_FIRST = "months_since_first";
  public static final String PERIOD_MONTH = "period_month";
  public static final String COHORT_CUSTOMERS = "cohort_customers";
  public static final String ACTIVE_CUSTOMERS = "active_customers";
  public static final String RETENTION_RATE = "retention_rate";
  public static final String REVENUE_PER_CUSTOMER = "revenue_per_customer";
  public static final String CUMULATIVE_REVENUE_PER_CUSTOMER = "cumulative_revenue_per_customer";
  public static final String EXPECTED_ACTIVE_SHARE = "expected_active_share";
  public static final String EXPECTED_ALIVE_SHARE = "expected_alive_share";
  public static final String PERIOD_COMPLETE = "period_complete";
  public static final String PURCHASED = "purchased";

  // Scores.
  public static final String R_SCORE = "r_score";
  public static final String F_SCORE = "f_score";
  public static final String M_SCORE = "m_score";
  public static final String RFM_CELL = "rfm_cell";
  public static final String RFM_SCORE = "rfm_score";

  // Tiers.
  public static final String CLUSTER_ID = "cluster_id";
  public static final String TIER = "tier";
  public static final String TIER_NAME = "tier_name";
  public static final String TIER_MODEL_ID = "tier_model_id";
  public static final String TIER_CODE = "tier_code";
  public static final String TIER_RANK = "tier_rank";
  public static final String R_LEVEL = "r_level";
  public static final String F_LEVEL = "f_level";
  public static final String M_LEVEL = "m_level";

  // Tables.TIER_MODEL.
  public static final String MODEL_ID = "model_id";
  public static final String TRAINED_SNAPSHOT_DATE = "trained_snapshot_date";
  public static final String TRAINED_AT = "trained_at";
  public static final String REASON = "reason";
  public static final String SAMPLE_SIZE = "sample_size";
  public static final String TRAINING_CUSTOMERS = "training_customers";
  public static final String SEED = "seed";
  public static final String VALUE_CRITERION = "value_criterion";
  public static final String PREVIOUS_MODEL_ID = "previous_model_id";
  public static final String MATCHING = "matching";
  public static final String WINSORIZE_LOW = "winsorize_low";
  public static final String WINSORIZE_HIGH = "winsorize_high";
  public static final String LOG_MEAN = "log_mean";
  public static final String LOG_STD = "log_std";
  public static final String TIERS = "tiers";
  public static final String PSI_EDGES = "psi_edges";
  public static final String PSI_SHARES = "psi_shares";
  public static final String MODEL_PATH = "model_path";
  public static final String TIER_SUFFIX = "tier_suffix";
  public static final String RANK_NAME = "rank_name";
  public static final String CENTRE_SCALED = "centre_scaled";
  public static final String PERCENTILES = "percentiles";
  public static final String TIER_VALUE = "tier_value";

  // Tables.RUN_LOG and TIER_MIGRATION: the tier model of a night.
  public static final String TIER_MODEL_ACTION = "tier_model_action";
  public static final String TIER_MODEL_REASON = "tier_model_reason";
  public static final String TIER_DRIFT = "tier_drift";
  public static final String PREVIOUS_TIER_MODEL_ID = "previous_tier_model_id";
  public static final String MODEL_RETRAINED = "model_retrained";

  // Anonymous lines (input.anonymous = separate).
  public static final String ROWS_ANONYMOUS = "rows_anonymous";
  public static final String ANONYMOUS_AMOUNT = "anonymous_amount";

  // score_thresholds.
  public static final String METRIC = "metric";
  public static final String SCORE = "score";
  public static final String MIN_VALUE = "min_value";
  public static final String MAX_VALUE = "max_value";
  public static final String CUSTOMERS = "customers";
  public static final String METHOD = "method";

  // Tables.SEGMENT_SUMMARY.
  public static final String SCHEME = "scheme";
  public static final String SEGMENT = "segment";
  public static final String SEGMENT_NAME = "segment_name";
  public static final String CUSTOMER_SHARE = "customer_share";
  public static final String REVENUE = "revenue";
  public static final String REVENUE_SHARE = "revenue_share";
  public static final String MEAN_RECENCY_DAYS = "mean_recency_days";
  public static final String MEAN_FREQUENCY = "mean_frequency";
  public static final String MEAN_MONETARY = "mean_monetary";

  // Tables.TIER_MIGRATION.
  public static final String PREVIOUS_SNAPSHOT_DATE = "previous_snapshot_date";
  public static final String FROM_TIER = "from_tier";
  public static final String FROM_TIER_NAME = "from_tier_name";
  public static final String TO_TIER = "to_tier";
  public static final String TO_TIER_NAME = "to_tier_name";
  public static final String MOVEMENT = "movement";

  // Tables.TIER_SUMMARY.
  public static final String MEDIAN_RECENCY_DAYS = "median_recency_days";
  public static final String MEDIAN_FREQUENCY = "median_frequency";
  public static final String MEDIAN_MONETARY = "median_monetary";
  public static final String CENTRE_RECENCY_DAYS = "centre_recency_days";
  public static final String CENTRE_FREQUENCY = "centre_frequency";
  public static final String CENTRE_MONETARY = "centre_monetary";

  // Tables.CUSTOMER_CLV.
  public static final String REPEAT_PURCHASE_DAYS = "repeat_purchase_days";
  public static final String TIME_TO_LAST_PURCHASE = "time_to_last_purchase";
  public static final String CUSTOMER_AGE = "customer_age";
  public static final String REPEAT_AVG_VALUE = "repeat_avg_value";
  public static final String P_ALIVE = "p_alive";
  public static final String EXPECTED_NEXT = "expected_purchases_next_period";
  public static final String EXPECTED_PURCHASES_PREFIX = "expected_purchases_";
  public static final String EXPECTED_AOV = "expected_avg_order_value";
  public static final String CLV_PREFIX = "clv_";
  public static final String TIME_UNIT = "time_unit";

  // Tables.CLV_MODEL.
  public static final String HORIZON = "horizon";
  public static final String DISCOUNT_RATE = "discount_rate";
  public static final String MARGIN = "margin";
  public static final String PENALIZER = "penalizer";
  public static final String BGNBD_R = "r";
  public static final String BGNBD_ALPHA = "alpha";
  public static final String BGNBD_A = "a";
  public static final String BGNBD_B = "b";
  public static final String BGNBD_LOG_LIKELIHOOD = "bgnbd_log_likelihood";
  public static final String BGNBD_CUSTOMERS = "bgnbd_customers";
  public static final String BGNBD_GROUPS = "bgnbd_groups";
  public static final String BGNBD_EVALUATIONS = "bgnbd_evaluations";
  public static final String GG_P = "p";
  public static final String GG_Q = "q";
  public static final String GG_GAMMA = "gamma";
  public static final String GG_LOG_LIKELIHOOD = "gg_log_likelihood";
  public static final String GG_CUSTOMERS = "gg_customers";
  public static final String GG_EVALUATIONS = "gg_evaluations";
  public static final String FIT_MS = "fit_ms";

  // Tables.RUN_LOG.
  public static final String STATUS = "status";
  public static final String FAILURE_REASON = "failure_reason";
  public static final String STARTED_AT = "started_at";
  public static final String FINISHED_AT = "finished_at";
  public static final String INPUT_URI = "input_uri";
  public static final String INPUT_FORMAT = "input_format";
  public static final String INPUT_FILES = "input_files";
  public static final String ROWS_READ = "rows_read";
  public static final String ROWS_VALID = "rows_valid";
  public static final String ROWS_REJECTED = "rows_rejected";
  public static final String ROWS_AFTER_AS_OF = "rows_after_as_of";
  public static final String K = "k";
  public static final String K_SELECTION = "k_selection";
  public static final String SILHOUETTE = "silhouette";
  public static final String SILHOUETTE_BY_K = "silhouette_by_k";
  public static final String STAGE_MS = "stage_ms";
  public static final String RETURNS_POLICY = "returns_policy";
  public static final String VALID_AMOUNT = "valid_amount";
  public static final String MONETARY_TOTAL = "monetary_total";
  public static final String UNATTRIBUTED_AMOUNT = "unattributed_amount";
  public static final String RECONCILED = "reconciled";
  public static final String WARNINGS = "warnings";
  public static final String SETTINGS = "settings";
  public static final String MODE = "mode";

  // Tables.STATE_LOG.
  public static final String COMMITTED_AT = "committed_at";
  public static final String SETTINGS_FINGERPRINT = "settings_fingerprint";
  public static final String FILES = "files";
  public static final String CUSTOMERS_VERSION = "customers_version";
  public static final String LATEST_ORDER_DATE = "latest_order_date";

  // Internal columns of the CLV stage.
  public static final String T_X_DAYS = "t_x_days";
  public static final String T_DAYS = "t_days";
  public static final String DAY_SPEND = "purchase_day_spend";
  public static final String FIRST_DAY_SPEND = "first_day_spend";
}
