package org.rfmtiers.features;

import java.math.BigDecimal;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A snapshot's per-customer sums ({@link RfmFeatures#aggregate}'s columns, the CLV day sums among
 * them) and the totals of the lines behind them: the valid amount before the snapshot date counted
 * by the returns policy, which the customers' monetary plus the anonymous lines' amount (lines
 * without a customer id, input.anonymous = separate) must reconcile with, and the valid lines dated
 * on or after the snapshot date.
 */
public record CustomerSums(
    Dataset<Row> aggregates,
    BigDecimal validAmount,
    BigDecimal anonymousAmount,
    long rowsAfterAsOf) {
  /** The customers with a purchase: the input of the CLV models. */
  public Dataset<Row> purchasers() {
    return RfmFeatures.purchasers(aggregates);
  }
}
