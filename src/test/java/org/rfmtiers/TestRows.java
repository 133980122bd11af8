package org.rfmtiers;

import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Builders for tiny hand-written DataFrames. */
public final class TestRows {
  private TestRows() {}

  /** A generated log row (TransactionGenerator's six text columns) as a line of its CSV. */
  public static String csvLine(Row r) {
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fields.add(r.getString(i));
    }
    return String.join(",", fields);
  }

  /**
   * Raw rows as ingest produces them: customer, order, timestamp text, amount text (others null).
   */
  public static Dataset<Row> raw(String[]... rows) {
    StructType schema =
        new StructType()
            .add(SOURCE_FILE, DataTypes.StringType)
            .add(RAW_CUSTOMER_ID, DataTypes.StringType)
            .add(RAW_ORDER_ID, DataTypes.StringType)
            .add(RAW_ORDER_TS, DataTypes.StringType)
            .add(TYPED_ORDER_TS, DataTypes.TimestampType)
            .add(RAW_AMOUNT, DataTypes.StringType)
            .add(RAW_QUANTITY, DataTypes.StringType)
            .add(RAW_UNIT_PRICE, DataTypes.StringType)
            .add(RAW_TRANSACTION_ID, DataTypes.StringType)
            .add(RAW_RECORD, DataTypes.StringType);
    List<Row> list = new ArrayList<>();
    for (String[] r : rows) {
      list.add(
          RowFactory.create(
              "test.csv",
              r[0],
              r[1],
              r[2],
              null,
              r[3],
              r.length > 4 ? r[4] : null,
              r.length > 5 ? r[5] : null,
              r.length > 6 ? r[6] : null,
              r.length > 7 ? r[7] : null));
    }
    return SparkTestSession.get().createDataFrame(list, schema);
  }

  /** Validated transactions: customer, order id, date (yyyy-MM-dd), amount, is_return. */
  public static Dataset<Row> transactions(Object[]... rows) {
    StructType schema =
        new StructType()
            .add(CUSTOMER_ID, DataTypes.StringType)
            .add(ORDER_ID, DataTypes.StringType)
            .add(ORDER_DATE, DataTypes.DateType)
            .add(AMOUNT, DataTypes.createDecimalType(18, 2))
            .add(IS_RETURN, DataTypes.BooleanType);
    List<Row> list = new ArrayList<>();
    for (Object[] r : rows) {
      list.add(
          RowFactory.create(
              r[0], r[1], Date.valueOf((String) r[2]), new BigDecimal((String) r[3]), r[4]));
    }
    return SparkTestSession.get().createDataFrame(list, schema);
  }

  /** Per-customer features: customer, recency_days, frequency, monetary. */
  public static Dataset<Row> customers(Object[]... rows) {
    StructType schema =
        new StructType()
            .add(CUSTOMER_ID, DataTypes.StringType)
            .add(RECENCY_DAYS, DataTypes.IntegerType)
            .add(FREQUENCY, DataTypes.LongType)
            .add(MONETARY, DataTypes.createDecimalType(38, 2));
    List<Row> list = new ArrayList<>();
    for (Object[] r : rows) {
      list.add(
          RowFactory.create(
              r[0],
              ((Number) r[1]).intValue(),
              ((Number) r[2]).longValue(),
              new BigDecimal(r[3].toString())));
    }
    return SparkTestSession.get().createDataFrame(list, schema);
  }
}
