package org.rfmtiers.generate;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A deterministic synthetic transaction log with the structure of real retail data: heterogeneous
 * purchase rates (a power law: the top 1 % of customers place about a fifth of the orders),
 * log-normal spend per customer with a few whales, customers who churn (exponential lifetimes,
 * longer for frequent buyers), multi-line orders, about 2 % returns (order id prefixed "C",
 * negative quantity and amount) and about 0.1 % bad rows (blank customer id, unparseable timestamp,
 * non-numeric amount).
 *
 * <p>Every value is a hash of (seed, row number), so the log is identical whatever the partitioning
 * and on every run. Rows 0..customers-1 are each customer's first purchase, so exactly {@code
 * customers} customers appear when {@code transactions >= customers}. Dates fall in {@link
 * #FIRST_DAY}..{@link #LAST_DAY}.
 */
public final class TransactionGenerator {
  public static final LocalDate FIRST_DAY = LocalDate.of(2023, 1, 1);
  public static final LocalDate LAST_DAY = LocalDate.of(2025, 12, 31);
  private static final long ROWS_PER_PARTITION = 1_000_000;
  private static final double TWO_53 = 9007199254740992.0;

  private final long customers;
  private final long transactions;
  private final long seed;

  public TransactionGenerator(long customers, long transactions, long seed) {
    if (customers < 1 || transactions < 1) {
      throw new IllegalArgumentException("--customers and --transactions must be at least 1");
    }
    this.customers = customers;
    this.transactions = transactions;
    this.seed = seed;
  }

  /** The log as text columns: customer_id, order_id, order_ts, quantity, unit_price, amount. */
  public Dataset<Row> generate(SparkSession spark) {
    int partitions =
        (int) Math.max(1, (transactions + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION);
    long span = LAST_DAY.toEpochDay() - FIRST_DAY.toEpochDay();
    Column row = col("id");
    Column n = lit(customers);

    // Rows pair up into two-line orders one time in five.
    Column pairedLine =
        row.geq(n)
            .and(pmod(row, lit(2)).equalTo(1))
            .and(uniform(shiftright(row, 1), "pair").lt(0.2));
    Column order = when(pairedLine, row.minus(1)).otherwise(row);
    Column customer =
        when(order.lt(n), order)
            .otherwise(floor(n.multiply(pow(uniform(order, "customer"), 3.0))).cast("long"));

    Dataset<Row> base =
        spark
            .range(0, transactions, 1, partitions)
            .withColumn("order_no", order)
            .withColumn("customer_no", customer);
    Column c = col("customer_no");
    Column o = col("order_no");
    Column birth = floor(uniform(c, "birth").multiply(span - 30)).cast("int");
    // Exponential lifetimes whose mean grows with the customer's purchase rate (low numbers buy
    // most):
    // about four months for occasional buyers, four years for the most loyal; many churn before the
    // end.
    Column meanLifetime = lit(120.0).plus(pow(lit(1.0).minus(c.divide(n)), 4.0).multiply(1400.0));
    Column death =
        least(
            lit(span),
            birth.plus(
                floor(
                    log(lit(1.0).minus(uniform(c, "life")))
                        .multiply(meanLifetime)
                        .multiply(-1.0))));
    Column day =
        when(o.lt(n), birth)
            .otherwise(birth.plus(floor(uniform(o, "day").multiply(death.minus(birth).plus(1)))))
            .cast("int");
    Column seconds = floor(uniform(o, "second").multiply(86400)).cast("long");
    Column timestamp =
        timestamp_seconds(
            lit(FIRST_DAY.toEpochDay() * 86400)
                .plus(day.cast("long").multiply(86400))
                .plus(seconds));

    Column whale = when(uniform(c, "whale").lt(0.002), 20.0).otherwise(1.0);
    Column customerSpend = exp(lit(3.0).plus(normal(c, "spend").multiply(0.8))).multiply(whale);
    Column lineSpend = customerSpend.multiply(exp(normal(row, "line").multiply(0.3)));
    Column quantity = floor(uniform(row, "quantity").multiply(4)).plus(1).cast("int");
    Column unitPrice =
        greatest(round(lineSpend.divide(quantity), 2), lit(0.01)).cast("decimal(12,2)");

    Column isReturn = row.geq(n).and(uniform(row, "return").lt(0.02));
    Column isBad = row.geq(n).and(not(isReturn)).and(uniform(row, "bad").lt(0.001));
    Column badKind = floor(uniform(row, "bad-kind").multiply(3));
    Column sign = when(isReturn, -1).otherwise(1);

    Dataset<Row> typed =
        base.withColumn("quantity_signed", quantity.multiply(sign))
            .withColumn("unit_price_v", unitPrice)
            .select(
                when(isBad.and(badKind.equalTo(0)), lit(""))
                    .otherwise(format_string("C%08d", c))
                    .as(CUSTOMER_ID),
                concat(when(isReturn, lit("C")).otherwise(lit("O")), format_string("%010d", o))
                    .as(ORDER_ID),
                when(isBad.and(badKind.equalTo(1)), lit("not-a-date"))
                    .otherwise(date_format(timestamp, "yyyy-MM-dd HH:mm:ss"))
                    .as(ORDER_TS),
                col("quantity_signed").cast("string").as("quantity"),
                col("unit_price_v").cast("string").as("unit_price"),
                when(isBad.and(badKind.equalTo(2)), lit("n/a"))
                    .otherwise(
                        col("quantity_signed")
                            .multiply(col("unit_price_v"))
                            .cast("decimal(14,2)")
                            .cast("string"))
                    .as(AMOUNT));
    return typed;
  }

  /**
   * Writes the log to {@code out} as CSV with a header or as Parquet (typed columns, bad values
   * null).
   */
  public void write(SparkSession spark, String out, String format) {
    Dataset<Row> log = generate(spark);
    switch (format) {
      case "csv" -> log.write().mode("overwrite").option("header", true).csv(out);
      case "parquet" -> typed(log).write().mode("overwrite").parquet(out);
      default ->
          throw new IllegalArgumentException("--format must be csv or parquet, not " + format);
    }
  }

  /** The log with typed columns, as written to Parquet: unparseable values become null. */
  public static Dataset<Row> typed(Dataset<Row> log) {
    return log.select(
        col(CUSTOMER_ID),
        col(ORDER_ID),
        try_to_timestamp(col(ORDER_TS), lit("yyyy-MM-dd HH:mm:ss")).as(ORDER_TS),
        col("quantity").cast("int").as("quantity"),
        col("unit_price").cast("decimal(12,2)").as("unit_price"),
        col(AMOUNT).try_cast("decimal(14,2)").as(AMOUNT));
  }

  /**
   * A uniform number in [0, 1) from a hash of the seed, a salt naming its purpose, and {@code key}.
   */
  private Column uniform(Column key, String salt) {
    return pmod(xxhash64(lit(seed), lit(salt), key), lit((long) TWO_53)).divide(TWO_53);
  }

  /** A standard normal number (Box-Muller on two uniforms). */
  private Column normal(Column key, String salt) {
    Column u1 = greatest(uniform(key, salt + "-1"), lit(1e-12));
    Column u2 = uniform(key, salt + "-2");
    return sqrt(log(u1).multiply(-2.0)).multiply(cos(u2.multiply(2 * Math.PI)));
  }
}
