package org.rfmtiers.config;

/**
 * The churn early warning's triggers (churn.*): P(alive) below {@code alertPAlive}, a fall of
 * P(alive) by more than {@code alertDrop} since the previous snapshot, and no purchase for more
 * than {@code overdueGapMultiple} of the customer's usual gaps.
 */
public record ChurnSettings(double alertPAlive, double alertDrop, double overdueGapMultiple) {
  public ChurnSettings {
    if (!(alertPAlive > 0 && alertPAlive < 1)) {
      throw new SettingsException(
          "churn.alert-p-alive = " + alertPAlive + " must be in (0, 1): it is a probability");
    }
    if (!(alertDrop > 0 && alertDrop < 1)) {
      throw new SettingsException(
          "churn.alert-drop = " + alertDrop + " must be in (0, 1): a fall in probability");
    }
    if (!(overdueGapMultiple >= 1)) {
      throw new SettingsException(
          "churn.overdue-gap-multiple = "
              + overdueGapMultiple
              + " must be >= 1: a customer is overdue only after their usual gap has passed");
    }
  }
}
