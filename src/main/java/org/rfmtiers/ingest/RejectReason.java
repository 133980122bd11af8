package org.rfmtiers.ingest;

/** Why a row was quarantined in {@code rejected_transactions}; the first failing check wins. */
public enum RejectReason {
  /** The line could not be split into the expected columns (wrong field count, broken quotes). */
  MALFORMED_ROW,
  /** Customer id null or blank. */
  MISSING_CUSTOMER_ID,
  /** Customer id longer than {@link TransactionValidator#MAX_ID_LENGTH} characters. */
  CUSTOMER_ID_TOO_LONG,
  /** Order id column mapped but null or blank on this row. */
  MISSING_ORDER_ID,
  /** Timestamp null or blank. */
  MISSING_TIMESTAMP,
  /** Timestamp does not match input.timestamp-format. */
  BAD_TIMESTAMP,
  /** Timestamp before validation.min-date or after today + validation.max-future-days. */
  TIMESTAMP_OUT_OF_RANGE,
  /** Amount (or quantity / unit price) null or blank. */
  MISSING_AMOUNT,
  /** Amount is not a number. */
  BAD_AMOUNT,
  /** Amount is NaN or infinite. */
  NON_FINITE_AMOUNT,
  /** Amount too large for the money type. */
  AMOUNT_OUT_OF_RANGE,
  /** Amount has more decimal places than input.amount-scale. */
  AMOUNT_TOO_PRECISE,
  /**
   * Negative amount while input.cancellation.negative-amount = false and the order id has no return
   * prefix.
   */
  NEGATIVE_NOT_RETURN,
  /** A transaction id seen before in this input (input.columns.transaction-id). */
  DUPLICATE_TRANSACTION
}
