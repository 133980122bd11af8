package org.rfmtiers.generate;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.RowEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A deterministic synthetic transaction log drawn from the story the CLV models tell (Fader, Hardie
 * and Lee's BG/NBD with Gamma-Gamma spend), so the demo looks like a real shop and the fit can be
 * checked against the truth.
 *
 * <p>Each customer is acquired on a day of {@link #FIRST_DAY}..{@link #LAST_DAY} (more of them
 * lately: a growing shop), buys then, and afterwards buys at a rate λ ~ Gamma(r, α) per day; after
 * each repeat purchase the customer leaves for good with probability p ~ Beta(a, b). Spend per
 * purchase day is Gamma(p_s, ν) with the customer's ν ~ Gamma(q, γ): heavy-tailed across customers,
 * so a few whales. About half the customers never buy again; the busiest few place a large share of
 * the orders. α is chosen so that the log has about {@code transactions} lines.
 *
 * <p>A purchase is one order of one or two lines (one in five has two), with a quantity of 1-4 and
 * a unit price rounded to the cent (amount = quantity x unit price). Besides the purchases: about 2
 * % return lines (order id prefixed "C", negative quantity and amount, up to 30 days after the
 * purchase) and about 0.1 % bad lines (a copy of a line with a blank customer id, an unparseable
 * timestamp or a non-numeric amount); neither changes what the models see.
 *
 * <p>Every draw comes from a generator seeded by (seed, customer), so the log is identical whatever
 * the partitioning and on every run.
 */
public final class TransactionGenerator {
  public static final LocalDate FIRST_DAY = LocalDate.of(2023, 1, 1);
  public static final LocalDate LAST_DAY = LocalDate.of(2025, 12, 31);
  private static final long LINES_PER_PARTITION = 1_000_000;

  /**
   * The generating parameters, rates per day: BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q,
   * gamma).
   */
  public record Parameters(
      double r, double alpha, double a, double b, double p, double q, double gamma)
      implements Serializable {}

  /** BG/NBD and Gamma-Gamma shapes of the generated shop; α is fitted to the line count. */
  static final double R = 0.25;

  static final double A = 0.8;
  static final double B = 8.0;
  static final double P = 6.25;
  static final double Q = 3.74;
  static final double GAMMA = 15.44;
  private static final double TWO_LINE_SHARE = 0.2;
  private static final double RETURN_SHARE = 0.02;
  private static final double BAD_SHARE = 0.001;
  private static final double LINES_PER_PURCHASE = 1 + TWO_LINE_SHARE;

  private final long customers;
  private final long transactions;
  private final long seed;
  private final Parameters parameters;

  public TransactionGenerator(long customers, long transactions, long seed) {
    if (customers < 1 || transactions < 1) {
      throw new IllegalArgumentException("--customers and --transactions must be at least 1");
    }
    this.customers = customers;
    this.transactions = transactions;
    this.seed = seed;
    this.parameters =
        new Parameters(R, alphaFor(transactions / (double) customers), A, B, P, Q, GAMMA);
  }

  /** The parameters the log is drawn from (rates per day). */
  public Parameters parameters() {
    return parameters;
  }

  private static final StructType SCHEMA =
      new StructType()
          .add(CUSTOMER_ID, DataTypes.StringType)
          .add(ORDER_ID, DataTypes.StringType)
          .add(ORDER_TS, DataTypes.StringType)
          .add("quantity", DataTypes.StringType)
          .add("unit_price", DataTypes.StringType)
          .add(AMOUNT, DataTypes.StringType);

  /** The log as text columns: customer_id, order_id, order_ts, quantity, unit_price, amount. */
  public Dataset<Row> generate(SparkSession spark) {
    int partitions =
        (int) Math.max(1, (transactions + LINES_PER_PARTITION - 1) / LINES_PER_PARTITION);
    Parameters drawn = parameters;
    long salt = seed;
    FlatMapFunction<Long, Row> lines = customer -> linesOf(customer, drawn, salt).iterator();
    return spark
        .range(0, customers, 1, partitions)
        .as(Encoders.LONG())
        .flatMap(lines, RowEncoder.encoderFor(SCHEMA));
  }

  /** Days from FIRST_DAY to LAST_DAY, inclusive of the last. */
  private static final int SPAN = (int) (LAST_DAY.toEpochDay() - FIRST_DAY.toEpochDay()) + 1;

  /** One customer's purchases: days since FIRST_DAY and spend, in order. */
  record Purchase(int day, double spend) {}

  static List<Purchase> purchases(long customer, Parameters m, long seed) {
    SplittableRandom random = new SplittableRandom(mix(seed, customer));
    // acquisition: density growing linearly over the span
    int birth = (int) Math.min(SPAN - 1, Math.floor(SPAN * Math.sqrt(random.nextDouble())));
    double rate = gamma(random, m.r()) / m.alpha();
    double dropout = beta(random, m.a(), m.b());
    double nu = gamma(random, m.q()) / m.gamma();
    List<Purchase> purchases = new ArrayList<>();
    purchases.add(new Purchase(birth, gamma(random, m.p()) / nu));
    double t = birth + random.nextDouble(); // within the first day
    while (rate > 0) {
      t += -Math.log(1 - random.nextDouble()) / rate;
      if (t >= SPAN) {
        break;
      }
      purchases.add(new Purchase((int) Math.floor(t), gamma(random, m.p()) / nu));
      if (random.nextDouble() < dropout) {
        break;
      }
    }
    return purchases;
  }

  private static List<Row> linesOf(long customer, Parameters m, long seed) {
    SplittableRandom random = new SplittableRandom(mix(seed ^ 0x5DEECE66DL, customer));
    String id = String.format(Locale.ROOT, "C%08d", customer);
    List<Row> rows = new ArrayList<>();
    int number = 0;
    for (Purchase purchase : purchases(customer, m, seed)) {
      String order = String.format(Locale.ROOT, "%08d%05d", customer, number++);
      int lineCount = random.nextDouble() < TWO_LINE_SHARE ? 2 : 1;
      double share = lineCount == 1 ? 1 : 0.2 + 0.6 * random.nextDouble();
      for (int line = 0; line < lineCount; line++) {
        double spend = purchase.spend() * (line == 0 ? share : 1 - share);
        int quantity = 1 + random.nextInt(4);
        BigDecimal price =
            BigDecimal.valueOf(Math.max(0.01, spend / quantity)).setScale(2, RoundingMode.HALF_UP);
        String ts = timestamp(purchase.day(), random);
        Row row = line(id, "O" + order, ts, quantity, price);
        rows.add(row);
        if (random.nextDouble() < RETURN_SHARE) {
          int back = Math.min(SPAN - 1, purchase.day() + random.nextInt(31));
          rows.add(
              line(
                  id,
                  "C" + order,
                  timestamp(back, random),
                  -(1 + random.nextInt(quantity)),
                  price));
        }
        if (random.nextDouble() < BAD_SHARE) {
          rows.add(bad(row, random.nextInt(3)));
        }
      }
    }
    return rows;
  }

  private static Row line(
      String customer, String order, String ts, int quantity, BigDecimal price) {
    return RowFactory.create(
        customer,
        order,
        ts,
        String.valueOf(quantity),
        price.toPlainString(),
        price.multiply(BigDecimal.valueOf(quantity)).toPlainString());
  }

  /** A copy of a line broken one of three ways: blank customer id, bad timestamp, bad amount. */
  private static Row bad(Row row, int kind) {
    return RowFactory.create(
        kind == 0 ? "" : row.get(0),
        row.get(1),
        kind == 1 ? "not-a-date" : row.get(2),
        row.get(3),
        row.get(4),
        kind == 2 ? "n/a" : row.get(5));
  }

  private static String timestamp(int day, SplittableRandom random) {
    int seconds = random.nextInt(86_400);
    return String.format(
        Locale.ROOT,
        "%s %02d:%02d:%02d",
        FIRST_DAY.plusDays(day),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60);
  }

  /**
   * The α (per day) for which a customer has {@code linesPerCustomer} lines on average: the mean
   * over a fixed simulated panel, found by bisection on log α (lines fall as α grows).
   */
  static double alphaFor(double linesPerCustomer) {
    double low = Math.log(1e-3);
    double high = Math.log(1e6);
    for (int step = 0; step < 25; step++) {
      double mid = (low + high) / 2;
      double lines = meanLines(new Parameters(R, Math.exp(mid), A, B, P, Q, GAMMA));
      if (lines > linesPerCustomer) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return Math.exp((low + high) / 2);
  }

  private static double meanLines(Parameters m) {
    int panel = 10_000;
    long purchases = 0;
    for (int c = 0; c < panel; c++) {
      purchases += purchases(c, m, 20251231L).size();
    }
    return purchases * LINES_PER_PURCHASE * (1 + RETURN_SHARE + BAD_SHARE) / panel;
  }

  /** A well-mixed 64-bit seed of (seed, customer) (SplitMix64's finaliser). */
  private static long mix(long seed, long customer) {
    long z = seed * 0x9E3779B97F4A7C15L + customer;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Gamma(shape, 1): Marsaglia and Tsang's method; shape below 1 by the boost U^(1/shape). */
  static double gamma(SplittableRandom random, double shape) {
    if (shape < 1) {
      return gamma(random, shape + 1) * Math.pow(1 - random.nextDouble(), 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        x = normal(random);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = 1 - random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  private static double beta(SplittableRandom random, double a, double b) {
    double x = gamma(random, a);
    return x / (x + gamma(random, b));
  }

  private static double normal(SplittableRandom random) {
    double u1 = 1 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
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
}
