package org.rfmtiers.output;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.time.LocalDate;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * Writes the job's Delta tables under one warehouse folder ({@code <warehouse>/<table>}). A table is
 * created on first use with its partitioning, table comment and column comments. Snapshot tables are
 * written with {@code replaceWhere} on the snapshot date: one atomic Delta commit replaces exactly that
 * snapshot and leaves every other one untouched, so a re-run never duplicates.
 */
public final class DeltaTables {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeltaTables.class);
  private final SparkSession spark;
  private final String warehouse;

  public DeltaTables(SparkSession spark, String warehouse) {
    this.spark = spark;
    this.warehouse = qualify(spark, warehouse);
  }

  private static String qualify(SparkSession spark, String warehouse) {
    try {
      Path path = new Path(warehouse);
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(path).toString();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot resolve warehouse " + warehouse + ": " + e.getMessage(), e);
    }
  }

  public String warehouse() {
    return warehouse;
  }

  /** Where {@code table} lives. */
  public String path(String table) {
    return warehouse + "/" + table;
  }

  /** Whether the table already holds a Delta log. */
  public boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  /** Replaces the rows of {@code snapshot} in a snapshot-partitioned table by {@code data}, atomically. */
  public void replaceSnapshot(TableSchema table, Dataset<Row> data, LocalDate snapshot) {
    String partition = table.partitionColumn()
        .orElseThrow(() -> new IllegalArgumentException(table.name() + " is not partitioned by snapshot"));
    LOG.info("table={} snapshot={} event=write", table.name(), snapshot);
    ensure(table);
    table.conform(data).write().format("delta")
        .mode("overwrite")
        .option("replaceWhere", partition + " = DATE'" + snapshot + "'")
        .option("mergeSchema", "true")
        .save(path(table.name()));
  }

  /** Replaces the whole content of an unpartitioned table in one atomic commit. */
  public void replaceAll(TableSchema table, Dataset<Row> data) {
    LOG.info("table={} event=write", table.name());
    ensure(table);
    table.conform(data).write().format("delta").mode("overwrite").option("mergeSchema", "true")
        .save(path(table.name()));
  }

  /** Appends {@code data} to an unpartitioned log table. */
  public void append(TableSchema table, Dataset<Row> data) {
    ensure(table);
    table.conform(data).write().format("delta").mode("append").option("mergeSchema", "true").save(path(table.name()));
  }

  /** Reads a table back (latest version). */
  public Dataset<Row> read(String table) {
    return spark.read().format("delta").load(path(table));
  }

  private void ensure(TableSchema table) {
    DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark)
        .location(path(table.name()))
        .comment(table.comment());
    for (StructField field : table.schema().fields()) {
      builder = builder.addColumn(field);
    }
    if (table.partitionColumn().isPresent()) {
      builder = builder.partitionedBy(table.partitionColumn().get());
    }
    builder.execute();
  }
}
