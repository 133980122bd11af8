package org.rfmtiers.generate;

import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;

class TransactionGeneratorTest {
  @Test
  void sameSeedSameLogWhateverThePartitioning() {
    Dataset<Row> once = new TransactionGenerator(500, 5_000, 7).generate(SparkTestSession.get());
    Dataset<Row> again =
        new TransactionGenerator(500, 5_000, 7).generate(SparkTestSession.get()).repartition(3);
    assertEquals(0, once.exceptAll(again).count());
    assertEquals(0, again.exceptAll(once).count());
    Dataset<Row> otherSeed =
        new TransactionGenerator(500, 5_000, 8).generate(SparkTestSession.get());
    assertTrue(
        once.exceptAll(otherSeed).count() > 0.95 * once.count(), "another seed gives another log");
  }

  @Test
  void hasTheStructureOfARealLog() {
    Dataset<Row> log =
        new TransactionGenerator(5_000, 40_000, 42).generate(SparkTestSession.get()).cache();
    long lines = log.count();
    assertTrue(lines > 36_000 && lines < 44_000, "about 40,000 lines: " + lines);
    Dataset<Row> good = log.filter(col("customer_id").notEqual(""));
    assertEquals(5_000, good.select("customer_id").distinct().count(), "every customer appears");
    long returns = log.filter(col("order_id").startsWith("C")).count();
    assertTrue(returns > 600 && returns < 1_000, "about 2 % returns: " + returns);
    // about half the customers never buy again: one order id (prefix O) per such customer
    long oneTime =
        log.filter(col("order_id").startsWith("O").and(col("customer_id").notEqual("")))
            .groupBy("customer_id")
            .agg(countDistinct("order_id").as("orders"))
            .filter("orders = 1")
            .count();
    assertTrue(oneTime > 1_750 && oneTime < 3_250, "one-time buyers of 5,000: " + oneTime);
    long bad =
        log.filter(
                col("customer_id")
                    .equalTo("")
                    .or(col("order_ts").equalTo("not-a-date"))
                    .or(col("amount").equalTo("n/a")))
            .count();
    assertTrue(bad > 20 && bad < 65, "about 0.1 % bad rows: " + bad);
    assertTrue(
        log.filter(
                col("order_id")
                    .startsWith("C")
                    .and(col("amount").startsWith("-").equalTo(false))
                    .and(col("amount").notEqual("n/a")))
            .isEmpty(),
        "returns carry negative amounts");
    // multi-line orders: some order ids appear twice
    assertTrue(log.groupBy("order_id").count().filter("count > 1").count() > 500);
    // heterogeneous rates: the busiest 1 % of customers place well over 1 % of the rows
    List<Row> perCustomer =
        good.groupBy("customer_id").count().orderBy(desc("count")).collectAsList();
    long top = perCustomer.subList(0, 50).stream().mapToLong(r -> r.getLong(1)).sum();
    assertTrue(top > 0.1 * 40_000, "top 1 % of customers: " + top + " rows");
    Row dates =
        log.filter(col("order_ts").notEqual("not-a-date"))
            .agg(min("order_ts"), max("order_ts"))
            .head();
    assertTrue(
        dates.getString(0).compareTo("2023-01-01") >= 0
            && dates.getString(1).compareTo("2026-01-01") < 0);
    log.unpersist();
  }
}
