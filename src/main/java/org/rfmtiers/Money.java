package org.rfmtiers;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/** The decimal types of money, defined once: money is never floating point. */
public final class Money {
  /**
   * Sums of any number of amounts at full precision, whatever the amount scale (up to 18): the CLV
   * day sums.
   */
  public static final DecimalType SPEND = DataTypes.createDecimalType(38, 18);

  private Money() {}

  /** One transaction amount: 18 digits, {@code scale} of them after the point. */
  public static DecimalType amount(int scale) {
    return DataTypes.createDecimalType(18, scale);
  }

  /** Money in the tables (sums, averages): 38 digits, {@code scale} of them after the point. */
  public static DecimalType decimal(int scale) {
    return DataTypes.createDecimalType(38, scale);
  }
}
