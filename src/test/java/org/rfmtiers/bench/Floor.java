package org.rfmtiers.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.rfmtiers.cli.SparkSessions;
import org.rfmtiers.output.DeltaTables;
import org.rfmtiers.output.TableSchema;

/**
 * The platform's floor for a night's writes (issue 33): a bare program with the job's Spark
 * settings that replaces one snapshot of {@code --tables} Delta tables of {@code --rows} rows a
 * night, with nothing of the job's own work around it. {@code bench/floor} runs each way in a fresh
 * JVM:
 *
 * <ul>
 *   <li>{@code spark-delta}: one Spark Delta write with {@code replaceWhere} per table, one after
 *       the other (what the job did before 0.9);
 *   <li>{@code kernel}: the job's commit path ({@link DeltaTables#replaceSnapshot}: the files
 *       written by one Spark job, committed through Delta Kernel), one after the other;
 *   <li>{@code kernel-parallel}: the same, all tables at once, as the job's write stage does.
 * </ul>
 *
 * <p>The first night creates the tables and is not timed; it prints the session start, then each
 * timed night (the first of them is the cold one a scheduled job lives with).
 */
public final class Floor {
  private static final LocalDate FIRST = LocalDate.of(2026, 1, 1);

  private Floor() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String way = args[0];
    int tables = Integer.parseInt(options.getOrDefault("tables", "14"));
    int rows = Integer.parseInt(options.getOrDefault("rows", "25000"));
    int nights = Integer.parseInt(options.getOrDefault("nights", "4"));
    Path dir = Path.of(options.getOrDefault("dir", "target/bench/floor")).resolve(way);
    deleteRecursively(dir);

    long start = System.nanoTime();
    SparkSession spark = SparkSessions.create("local[*]", Map.of("spark.ui.enabled", "false"));
    double session = seconds(start);
    DeltaTables delta = new DeltaTables(spark, dir.toAbsolutePath().toString());
    List<TableSchema> schemas = new ArrayList<>();
    for (int t = 0; t < tables; t++) {
      schemas.add(schema("floor_" + t));
    }
    List<Double> timed = new ArrayList<>();
    for (int night = 0; night <= nights; night++) {
      LocalDate date = FIRST.plusDays(night);
      Dataset<Row> data = rows(spark, rows, night);
      long n = System.nanoTime();
      write(way, spark, delta, schemas, data, date);
      double s = seconds(n);
      if (night > 0) {
        timed.add(s);
      }
      System.out.printf(
          Locale.ROOT,
          "floor %s: night %d %s %.2f s%n",
          way,
          night,
          night == 0 ? "(creates the tables, not timed)" : "",
          s);
    }
    System.out.printf(
        Locale.ROOT,
        "floor %s: session start %.2f s; first timed night %.2f s; later nights %s s%n",
        way,
        session,
        timed.get(0),
        timed.subList(1, timed.size()).stream()
            .map(v -> String.format(Locale.ROOT, "%.2f", v))
            .toList());
    spark.stop();
  }

  private static void write(
      String way,
      SparkSession spark,
      DeltaTables delta,
      List<TableSchema> schemas,
      Dataset<Row> data,
      LocalDate date)
      throws Exception {
    switch (way) {
      case "spark-delta" -> {
        for (TableSchema schema : schemas) {
          schema
              .conform(data.withColumn("snapshot_date", lit(java.sql.Date.valueOf(date))))
              .write()
              .format("delta")
              .mode("overwrite")
              .partitionBy("snapshot_date")
              .option("replaceWhere", "snapshot_date = DATE'" + date + "'")
              .save(delta.path(schema.name()));
        }
      }
      case "kernel" -> {
        for (TableSchema schema : schemas) {
          delta.replaceSnapshot(
              schema, data.withColumn("snapshot_date", lit(java.sql.Date.valueOf(date))), date);
        }
      }
      case "kernel-parallel" -> {
        ExecutorService pool = Executors.newFixedThreadPool(schemas.size());
        try {
          List<Future<?>> all = new ArrayList<>();
          for (TableSchema schema : schemas) {
            all.add(
                pool.submit(
                    () ->
                        delta.replaceSnapshot(
                            schema,
                            data.withColumn("snapshot_date", lit(java.sql.Date.valueOf(date))),
                            date)));
          }
          for (Future<?> f : all) {
            f.get();
          }
        } finally {
          pool.shutdown();
        }
      }
      default -> throw new IllegalArgumentException("way: spark-delta | kernel | kernel-parallel");
    }
  }

  private static TableSchema schema(String name) {
    return TableSchema.table(name, "floor table")
        .column("snapshot_date", DataTypes.DateType, "snapshot")
        .column("customer_id", DataTypes.StringType, "customer")
        .column("frequency", DataTypes.LongType, "orders")
        .column("monetary", DataTypes.createDecimalType(38, 2), "spend")
        .column("score", DataTypes.DoubleType, "a double")
        .partitionedBy("snapshot_date")
        .build();
  }

  private static Dataset<Row> rows(SparkSession spark, int rows, int night) {
    return spark
        .range(rows)
        .select(
            concat(lit("C"), col("id").cast("string")).as("customer_id"),
            col("id").plus(night).mod(17).as("frequency"),
            col("id").mod(1000).cast("decimal(38,2)").as("monetary"),
            col("id").cast("double").divide(rows).as("score"))
        .coalesce(1);
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
