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
  /** Helper column of validated lines: a rejected line's file and raw values (null on valid lines). */
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

  // score_thresholds.
  public static final String METRIC = "metric";
  public static final String SCORE = "score";
  public static final String MIN_VALUE = "min_value";
  public static final String MAX_VALUE = "max_value";
  public static final String CUSTOMERS = "customers";
  public static final String METHOD = "method";
}
