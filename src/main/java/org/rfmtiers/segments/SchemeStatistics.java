package org.rfmtiers.segments;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The snapshot-wide statistics the schemes' cuts need (each scheme's {@code statistics()}),
 * computed over the customers in one Spark aggregation and read back by name.
 */
public final class SchemeStatistics {
  private SchemeStatistics() {}

  /** The statistics over all of {@code customers}, as one row. */
  public static Row over(Dataset<Row> customers, List<Column> statistics) {
    return customers
        .agg(statistics.get(0), statistics.subList(1, statistics.size()).toArray(Column[]::new))
        .head();
  }

  /** A numeric statistic of {@code row} by its name (null is an error, as for Row.getDouble). */
  static double number(Row row, String name) {
    return row.getDouble(row.fieldIndex(name));
  }
}
