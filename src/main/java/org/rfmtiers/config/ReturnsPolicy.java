package org.rfmtiers.config;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;
import static org.rfmtiers.Columns.AMOUNT;
import static org.rfmtiers.Columns.IS_RETURN;

import org.apache.spark.sql.Column;

/** How returns and cancellations enter the monetary value ({@code returns.policy}). */
public enum ReturnsPolicy {
  /**
   * Purchases only: returns are validated and counted, but add nothing to frequency or monetary.
   */
  EXCLUDE,
  /** Returns subtract from monetary; they never add to frequency. */
  NET;

  /**
   * The amount of a validated line that counts toward monetary under this policy: the signed amount
   * (net), or the amount of purchases and 0 for returns (exclude). The one definition the features,
   * the CLV day sums and the reconciliation's valid amount share.
   */
  public Column countedAmount() {
    return this == NET ? col(AMOUNT) : when(not(col(IS_RETURN)), col(AMOUNT)).otherwise(lit(0));
  }
}
