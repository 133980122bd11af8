package org.rfmtiers.config;

/** How returns and cancellations enter the monetary value ({@code returns.policy}). */
public enum ReturnsPolicy {
  /** Purchases only: returns are validated and counted, but add nothing to frequency or monetary. */
  EXCLUDE,
  /** Returns subtract from monetary; they never add to frequency. */
  NET
}
