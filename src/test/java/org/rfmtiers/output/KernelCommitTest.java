package org.rfmtiers.output;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.KernelTables;
import org.rfmtiers.SparkTestSession;

/**
 * A table whose columns are the job's is written as Parquet files committed through Delta Kernel
 * ({@link KernelLog}): the commit replaces exactly one snapshot, as Delta's {@code replaceWhere}
 * does, keeps the file statistics Delta's readers skip files by, and two writers of one table never
 * lose a commit.
 */
class KernelCommitTest {
  private static final LocalDate D1 = LocalDate.of(2026, 3, 1);
  private static final LocalDate D2 = LocalDate.of(2026, 3, 2);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static TableSchema schema() {
    return TableSchema.table("t", "a test table")
        .column("snapshot_date", DataTypes.DateType, "snapshot")
        .column("customer_id", DataTypes.StringType, "customer")
        .column("frequency", DataTypes.LongType, "orders")
        .column("monetary", DataTypes.createDecimalType(38, 2), "spend")
        .column("score", DataTypes.DoubleType, "a double")
        .partitionedBy("snapshot_date")
        .statsColumns("customer_id", "frequency", "monetary", "score")
        .build();
  }

  private static Dataset<Row> rows(SparkSession spark, LocalDate date, Object[]... values) {
    List<Row> rows = new ArrayList<>();
    for (Object[] v : values) {
      rows.add(
          RowFactory.create(
              Date.valueOf(date), v[0], (long) (int) v[1], new BigDecimal((String) v[2]), v[3]));
    }
    return spark.createDataFrame(rows, schema().schema());
  }

  /** customer_id=frequency per row of one snapshot, as Spark's Delta reader reads it. */
  private static List<String> snapshot(SparkSession spark, String path, LocalDate date) {
    return spark
        .read()
        .format("delta")
        .load(path)
        .filter(col("snapshot_date").equalTo(Date.valueOf(date)))
        .orderBy("customer_id")
        .collectAsList()
        .stream()
        .map(r -> r.getString(1) + "=" + r.getLong(2))
        .toList();
  }

  /** The actions of one commit file of the table's log. */
  private static List<JsonNode> commit(String path, long version) throws IOException {
    Path file = local(path).resolve("_delta_log").resolve(String.format("%020d.json", version));
    List<JsonNode> actions = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      actions.add(JSON.readTree(line));
    }
    return actions;
  }

  /** A table's folder on the local disk (the warehouse's paths are qualified URIs). */
  private static Path local(String path) {
    return Path.of(java.net.URI.create(path));
  }

  private static List<JsonNode> of(List<JsonNode> actions, String kind) {
    return actions.stream().filter(a -> a.has(kind)).map(a -> a.get(kind)).toList();
  }

  @Test
  void aKernelCommitReplacesExactlyOneSnapshotWithStatistics() throws Exception {
    SparkSession spark = SparkTestSession.get();
    DeltaTables tables = new DeltaTables(spark, dir.toString());
    String path = tables.path("t");
    // version 0 creates the table, then every write is a Kernel commit
    tables.replaceSnapshot(schema(), rows(spark, D1, new Object[] {"a", 1, "1.50", 0.5}), D1);
    // a new instance (the next night) sees a table with exactly the job's columns
    tables = new DeltaTables(spark, dir.toString());
    tables.replaceSnapshot(
        schema(),
        rows(spark, D2, new Object[] {"c", 3, "3.00", 1.0}, new Object[] {"d", 4, "4.25", 2.0}),
        D2);
    tables.replaceSnapshot(
        schema(),
        rows(
            spark,
            D1,
            new Object[] {"b", 2, "-2.00", Double.NaN},
            new Object[] {"e", 5, "10.00", 3.0}),
        D1);

    assertEquals(List.of("b=2", "e=5"), snapshot(spark, path, D1));
    assertEquals(List.of("c=3", "d=4"), snapshot(spark, path, D2));
    // Delta's protocol read without Spark agrees
    assertEquals(4, KernelTables.rows(path).size());

    long last;
    try (Stream<Path> log = Files.list(local(path).resolve("_delta_log"))) {
      last =
          log.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".json"))
              .mapToLong(n -> Long.parseLong(n.substring(0, 20)))
              .max()
              .orElseThrow();
    }
    List<JsonNode> replace = commit(path, last);
    assertTrue(
        engineInfo(replace).matches("Kernel-.*rfm-tiers"),
        "the Kernel path wrote it: " + engineInfo(replace));
    List<JsonNode> removes = of(replace, "remove");
    assertEquals(1, removes.size(), "only D1's one file is removed");
    assertEquals("2026-03-01", removes.get(0).get("partitionValues").get("snapshot_date").asText());
    List<JsonNode> adds = of(replace, "add");
    assertFalse(adds.isEmpty());
    long records = 0;
    for (JsonNode add : adds) {
      assertEquals("2026-03-01", add.get("partitionValues").get("snapshot_date").asText());
      assertTrue(add.get("path").asText().startsWith("snapshot_date=2026-03-01/"));
      JsonNode stats = JSON.readTree(add.get("stats").asText());
      records += stats.get("numRecords").asLong();
      if (stats.get("numRecords").asLong() == 2) {
        assertEquals("b", stats.get("minValues").get("customer_id").asText());
        assertEquals("e", stats.get("maxValues").get("customer_id").asText());
        assertEquals(2, stats.get("minValues").get("frequency").asLong());
        assertEquals(5, stats.get("maxValues").get("frequency").asLong());
        assertEquals(
            new BigDecimal("-2.00"), stats.get("minValues").get("monetary").decimalValue());
        assertEquals(
            new BigDecimal("10.00"), stats.get("maxValues").get("monetary").decimalValue());
        // no bounds for a double (Parquet's skip NaN), but its null count
        assertFalse(stats.get("minValues").has("score"));
        assertEquals(0, stats.get("nullCount").get("score").asLong());
      }
    }
    assertEquals(2, records);
    // data skipping by the statistics still finds the row
    assertEquals(
        1, spark.read().format("delta").load(path).filter(col("customer_id").equalTo("e")).count());
    // the job's own reads go by the log too
    assertEquals(List.of(D1, D2), List.copyOf(tables.snapshotDates("t")));
    assertEquals(2, tables.readSnapshot("t", D2).count());
    assertEquals(0, tables.readSnapshot("t", LocalDate.of(2026, 3, 3)).count());
  }

  @Test
  void anEmptySnapshotRemovesTheOldRowsAndAddsNoFile() throws Exception {
    SparkSession spark = SparkTestSession.get();
    DeltaTables tables = new DeltaTables(spark, dir.toString());
    tables.replaceSnapshot(schema(), rows(spark, D1, new Object[] {"a", 1, "1.00", 0.0}), D1);
    tables = new DeltaTables(spark, dir.toString());
    tables.replaceSnapshot(schema(), rows(spark, D1).limit(0), D1);
    String path = tables.path("t");
    assertEquals(List.of(), snapshot(spark, path, D1));
    List<JsonNode> last = commit(path, 2);
    assertEquals(1, of(last, "remove").size());
    assertEquals(0, of(last, "add").size());
  }

  @Test
  void writersOfOneTableRacingForVersionsLoseNoCommit() throws Exception {
    SparkSession spark = SparkTestSession.get();
    DeltaTables first = new DeltaTables(spark, dir.toString());
    first.replaceSnapshot(schema(), rows(spark, D1, new Object[] {"seed", 0, "0.00", 0.0}), D1);
    int writers = 4;
    int rounds = 3;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        LocalDate date = D1.plusDays(w);
        String id = "w" + w;
        all.add(
            pool.submit(
                () -> {
                  // each writer is a run of its own (its own DeltaTables, its own Kernel engine)
                  DeltaTables tables = new DeltaTables(spark, dir.toString());
                  for (int r = 1; r <= rounds; r++) {
                    tables.replaceSnapshot(
                        schema(), rows(spark, date, new Object[] {id, r, "1.00", 0.0}), date);
                  }
                }));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    String path = first.path("t");
    // thirteen commits: Kernel wrote the checkpoint of version 10, and Spark's reader reads it
    assertTrue(
        Files.exists(local(path).resolve("_delta_log").resolve("_last_checkpoint")),
        "a checkpoint after ten versions");
    for (int w = 0; w < writers; w++) {
      assertEquals(List.of("w" + w + "=" + rounds), snapshot(spark, path, D1.plusDays(w)));
    }
  }

  @Test
  void aTablePartitionedByAnotherColumnKeepsItsPartitionValues() {
    SparkSession spark = SparkTestSession.get();
    TableSchema lines =
        TableSchema.table("lines", "partitioned by month, replaced whole")
            .column("order_month", DataTypes.DateType, "month")
            .column("customer_id", DataTypes.StringType, "customer")
            .partitionedBy("order_month")
            .build();
    Dataset<Row> rows =
        spark.createDataFrame(
            List.of(
                RowFactory.create(Date.valueOf("2026-01-01"), "a"),
                RowFactory.create(Date.valueOf("2026-02-01"), "b")),
            lines.schema());
    for (int night = 0; night < 2; night++) {
      // a new instance a night: the second sees a table with exactly the job's columns
      new DeltaTables(spark, dir.toString()).replaceAll(lines, rows);
    }
    List<String> read =
        spark
            .read()
            .format("delta")
            .load(dir.resolve("lines").toString())
            .orderBy("customer_id")
            .collectAsList()
            .stream()
            .map(r -> r.getDate(0) + "/" + r.getString(1))
            .toList();
    assertEquals(List.of("2026-01-01/a", "2026-02-01/b"), read);
  }

  private static String engineInfo(List<JsonNode> actions) {
    return of(actions, "commitInfo").get(0).get("engineInfo").asText();
  }
}
