package org.rfmtiers.config;

/** What one unit of frequency is ({@code features.frequency-basis}). */
public enum FrequencyBasis {
  /** Distinct order ids (or customer-days when no order id column is mapped). */
  ORDERS,
  /** Distinct purchase days, the convention of the BG/NBD literature. */
  DAYS
}
