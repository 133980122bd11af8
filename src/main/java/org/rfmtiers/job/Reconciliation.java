package org.rfmtiers.job;

import java.math.BigDecimal;

/**
 * The run's money check: the valid amount before the snapshot date, counted by the returns policy,
 * must equal the customers' monetary plus the anonymous lines' amount (no customer id) plus the
 * returns that belong to no customer (net policy).
 */
record Reconciliation(
    long customers,
    BigDecimal validAmount,
    BigDecimal monetaryTotal,
    BigDecimal anonymousAmount,
    BigDecimal unattributed) {
  boolean reconciled() {
    return validAmount.compareTo(monetaryTotal.add(anonymousAmount).add(unattributed)) == 0;
  }

  String failure() {
    return "reconciliation failed: valid amount "
        + validAmount
        + " != monetary total "
        + monetaryTotal
        + " + anonymous "
        + anonymousAmount
        + " + unattributed "
        + unattributed
        + "; nothing was published";
  }
}
