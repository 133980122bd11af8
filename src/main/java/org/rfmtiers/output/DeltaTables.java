package org.rfmtiers.output;

import static java.util.stream.Collectors.joining;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.to_date;
import static org.rfmtiers.Columns.SNAPSHOT_DATE;

import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the job's Delta tables under one warehouse folder ({@code <warehouse>/<table>}). A table
 * is created on first use with its partitioning, table comment and column comments. A snapshot of a
 * table is replaced in one atomic Delta commit that leaves every other snapshot untouched, so a
 * re-run never duplicates: the rows are written as Parquet files by Spark and committed through
 * {@link KernelLog} on the driver ({@link #commitFiles}); a table whose columns differ from the
 * job's is written once by a Spark Delta write with {@code replaceWhere}, which also changes its
 * schema. Reads of one snapshot or of a whole table go by the files the log lists ({@link
 * #readSnapshot}, {@link #readAll}); {@link #read} is Spark's Delta reader.
 */
public final class DeltaTables {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTables.class);

  /** Tries at creating a table another run may be creating at the same time. */
  private static final int CREATE_ATTEMPTS = 5;

  private final SparkSession spark;
  private final String warehouse;

  /** Tables whose schema this instance has checked or created (one instance per run). */
  private final Set<String> ready = ConcurrentHashMap.newKeySet();

  /**
   * Tables whose logged columns are exactly the job's (names and types): written as Parquet files
   * committed through {@link KernelLog}. Others (just created, a column to add, a type to migrate)
   * are written by a Spark Delta write, which changes the schema in the same commit.
   */
  private final Set<String> current = ConcurrentHashMap.newKeySet();

  /** Hadoop's option that would leave a _SUCCESS file beside the written files. */
  private static final String SUCCESS_MARKER = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

  private final KernelLog log;

  /** Money columns of existing tables still DOUBLE (written before 0.5), cast on first write. */
  private final Map<String, List<StructField>> moneyToDecimal = new ConcurrentHashMap<>();

  public DeltaTables(SparkSession spark, String warehouse) {
    this.spark = spark;
    this.warehouse = qualify(spark, warehouse);
    this.log = new KernelLog(spark.sparkContext().hadoopConfiguration());
  }

  private static String qualify(SparkSession spark, String warehouse) {
    try {
      Path path = new Path(warehouse);
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .makeQualified(path)
          .toString();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot resolve warehouse " + warehouse + ": " + e.getMessage(), e);
    }
  }

  public String warehouse() {
    return warehouse;
  }

  /** Where {@code table} lives. */
  public String path(String table) {
    return warehouse + "/" + table;
  }

  /** An existing table whose column types differ from what the job writes. */
  public static class SchemaChangeException extends RuntimeException {
    public SchemaChangeException(String message) {
      super(message);
    }
  }

  /** Whether the table already holds a Delta log. */
  public boolean exists(String table) {
    // a look at the file system instead of DeltaTable.isDeltaTable, which loads the table's
    // snapshot
    Path log = new Path(path(table) + "/_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(log) && fs.listStatus(log).length > 0;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot look for table " + path(table) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Replaces the rows of {@code snapshot} in a snapshot-partitioned table by {@code data},
   * atomically.
   */
  public void replaceSnapshot(TableSchema table, Dataset<Row> data, LocalDate snapshot) {
    String partition =
        table
            .partitionColumn()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(table.name() + " is not partitioned by snapshot"));
    LOG.info("table={} snapshot={} event=write", table.name(), snapshot);
    long start = System.nanoTime();
    ensure(table);
    if (current.contains(table.name())) {
      commitFiles(table, data, Optional.of(new KernelLog.Partition(partition, snapshot)), true);
    } else {
      table
          .conform(data)
          .write()
          .format("delta")
          .mode("overwrite")
          .option("replaceWhere", partition + " = DATE'" + snapshot + "'")
          .option("mergeSchema", "true")
          .save(path(table.name()));
    }
    LOG.info(
        "table={} snapshot={} event=written ms={}",
        table.name(),
        snapshot,
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Replaces the whole content of an unpartitioned table in one atomic commit. */
  public void replaceAll(TableSchema table, Dataset<Row> data) {
    LOG.info("table={} event=write", table.name());
    ensure(table);
    if (wholeTableByKernel(table)) {
      commitFiles(table, data, Optional.empty(), true);
      return;
    }
    table
        .conform(data)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("mergeSchema", "true")
        .save(path(table.name()));
  }

  /** Appends {@code data} to an unpartitioned log table. */
  public void append(TableSchema table, Dataset<Row> data) {
    ensure(table);
    if (wholeTableByKernel(table)) {
      commitFiles(table, data, Optional.empty(), false);
      return;
    }
    table
        .conform(data)
        .write()
        .format("delta")
        .mode("append")
        .option("mergeSchema", "true")
        .save(path(table.name()));
  }

  /**
   * Whether a write of the whole table goes through {@link #commitFiles}: its columns are the job's
   * and it is unpartitioned (a partitioned one, the incremental state's lines, would need each
   * file's partition values).
   */
  private boolean wholeTableByKernel(TableSchema table) {
    return current.contains(table.name()) && table.partitionColumn().isEmpty();
  }

  /**
   * Writes {@code data} as Parquet files into a new folder of the table (of its partition), in one
   * Spark job, and commits them through {@link KernelLog}: what a Spark Delta write does, without
   * the Spark jobs that replay the table's log and filter the files it replaces. Used for a table
   * whose columns and partitioning are exactly this job's, unpartitioned or written one snapshot
   * partition at a time (a column to add or a type to migrate goes through a Spark Delta write,
   * which changes the table's schema in the same commit; so does a whole partitioned table, the
   * incremental state's lines).
   */
  private void commitFiles(
      TableSchema table,
      Dataset<Row> data,
      Optional<KernelLog.Partition> partition,
      boolean replace) {
    String root = path(table.name());
    Path folder =
        new Path(
            root + "/" + partition.map(p -> p.directory() + "/").orElse("") + UUID.randomUUID());
    Dataset<Row> rows = table.conform(data);
    if (partition.isPresent()) {
      rows = rows.drop(partition.get().column());
    }
    rows.write().option(SUCCESS_MARKER, "false").parquet(folder.toString());
    List<FileStatus> written = new ArrayList<>();
    try {
      for (FileStatus file : folder.getFileSystem(hadoopConf()).listStatus(folder)) {
        String name = file.getPath().getName();
        if (file.isFile()
            && name.endsWith(".parquet")
            && !name.startsWith("_")
            && !name.startsWith(".")) {
          written.add(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the files written to " + folder, e);
    }
    log.commit(root, partition, replace, written, table.statsColumns());
  }

  private Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  /**
   * The snapshot dates of a snapshot-partitioned table (its latest version), from its log read on
   * the driver; empty when the table does not exist.
   */
  public TreeSet<LocalDate> snapshotDates(String table) {
    if (!exists(table)) {
      return new TreeSet<>();
    }
    return log.partitionDates(path(table), SNAPSHOT_DATE);
  }

  /**
   * One snapshot of a snapshot-partitioned table: the files its log lists for that date, read as
   * Parquet with the table's schema (no Spark job replays the log). Empty, with the table's
   * columns, when the snapshot has no rows.
   */
  public Dataset<Row> readSnapshot(String table, LocalDate snapshot) {
    return readFiles(table, Optional.of(new KernelLog.Partition(SNAPSHOT_DATE, snapshot)));
  }

  /**
   * Every row of a table (every snapshot of a snapshot-partitioned one), read as {@link
   * #readSnapshot} reads one snapshot; a file's snapshot date is the partition folder its path
   * names.
   */
  public Dataset<Row> readAll(String table) {
    return readFiles(table, Optional.empty());
  }

  /** The date in a data file's path: its snapshot partition's folder. */
  private static final String SNAPSHOT_FOLDER =
      "/" + SNAPSHOT_DATE + "=([0-9]{4}-[0-9]{2}-[0-9]{2})/";

  private Dataset<Row> readFiles(String table, Optional<KernelLog.Partition> partition) {
    KernelLog.Listing listing;
    try {
      listing = log.listing(path(table), partition);
    } catch (TableNotFoundException e) {
      throw new IllegalStateException("no Delta table at " + path(table), e);
    } catch (KernelLog.Unsupported e) {
      LOG.info("table={} event=read-through-spark reason=\"{}\"", table, e.getMessage());
      Dataset<Row> all = read(table);
      return partition
          .map(p -> all.filter(col(p.column()).equalTo(lit(java.sql.Date.valueOf(p.date())))))
          .orElse(all);
    }
    KernelLog.Layout layout = listing.layout();
    StructType schema = layout.schema();
    List<String> files = listing.files();
    if (files.isEmpty()) {
      return spark.createDataFrame(List.of(), schema);
    }
    boolean bySnapshot = layout.partitionColumns().equals(List.of(SNAPSHOT_DATE));
    if (!bySnapshot && !layout.partitionColumns().isEmpty()) {
      throw new IllegalArgumentException(table + " is partitioned by " + layout.partitionColumns());
    }
    StructType fileSchema =
        bySnapshot
            ? new StructType(
                Arrays.stream(schema.fields())
                    .filter(f -> !f.name().equals(SNAPSHOT_DATE))
                    .toArray(StructField[]::new))
            : schema;
    Dataset<Row> rows = spark.read().schema(fileSchema).parquet(files.toArray(String[]::new));
    if (partition.isPresent()) {
      rows = rows.withColumn(SNAPSHOT_DATE, lit(java.sql.Date.valueOf(partition.get().date())));
    } else if (bySnapshot) {
      rows =
          rows.withColumn(
              SNAPSHOT_DATE,
              to_date(regexp_extract(col("_metadata.file_path"), SNAPSHOT_FOLDER, 1)));
    }
    return rows.select(
        Arrays.stream(schema.fieldNames())
            .map(c -> col(c))
            .toArray(org.apache.spark.sql.Column[]::new));
  }

  /**
   * Registers every existing table of the warehouse in the catalog as {@code database.table}
   * (external Delta tables at their paths) and a {@code customer_tiers_current_view} of the latest
   * customer_rfm snapshot. {@code database} is a schema of the session catalog or {@code
   * catalog.schema} (Unity Catalog: {@code main.crm}), validated as identifiers by the settings.
   */
  public void register(String database, List<String> tableNames) {
    String schema =
        Arrays.stream(database.split("\\.")).map(p -> "`" + p + "`").collect(joining("."));
    spark.sql("CREATE SCHEMA IF NOT EXISTS " + schema);
    for (String table : tableNames) {
      if (exists(table)) {
        spark.sql(
            "CREATE TABLE IF NOT EXISTS "
                + schema
                + ".`"
                + table
                + "` USING DELTA LOCATION '"
                + path(table).replace("'", "\\'")
                + "'");
      }
    }
    spark.sql(
        "CREATE OR REPLACE VIEW "
            + schema
            + ".customer_tiers_current_view AS SELECT * FROM "
            + schema
            + ".customer_rfm WHERE snapshot_date = (SELECT max(snapshot_date) FROM "
            + schema
            + ".customer_rfm)");
  }

  /** Reads a table back (latest version). */
  public Dataset<Row> read(String table) {
    return spark.read().format("delta").load(path(table));
  }

  /**
   * Creates the table on first use; on an existing table checks the schema first. A column this
   * version adds is allowed (logged; the write merges it in), a money column still DOUBLE from an
   * earlier version is rewritten as DECIMAL ({@link #toDecimal}), any other type change fails,
   * naming the column and both types.
   */
  private void ensure(TableSchema table) {
    if (!ready.contains(table.name())) {
      checkOrCreate(table);
    }
    List<StructField> migrate = moneyToDecimal.remove(table.name());
    if (migrate != null) {
      toDecimal(table, migrate);
    }
  }

  private void checkOrCreate(TableSchema table) {
    for (int attempt = 1; ; attempt++) {
      try {
        if (!checkSchema(table)) {
          create(table);
          current.add(table.name()); // created with exactly the job's columns
        }
        ready.add(table.name());
        return;
      } catch (SchemaChangeException e) {
        throw e;
      } catch (RuntimeException e) {
        // another run creating the same table (two first runs appending run_log): its log folder
        // exists before its first commit, or its commit wins over ours; look again once it is done
        if (attempt == CREATE_ATTEMPTS) {
          throw e;
        }
        LOG.info(
            "table={} event=create-retry attempt={} reason=\"{}\"",
            table.name(),
            attempt,
            String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        pause(attempt);
      }
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(200L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a table to be created", e);
    }
  }

  /**
   * Checks an existing table against {@code table}: returns false when it does not exist yet, true
   * when its columns are compatible, and throws {@link SchemaChangeException} for a changed type.
   * Call it for every table before the first write so a failing check writes nothing at all.
   */
  public boolean checkSchema(TableSchema table) {
    if (ready.contains(table.name())) {
      return true;
    }
    Optional<KernelLog.Layout> logged =
        exists(table.name()) ? log.layout(path(table.name())) : Optional.empty();
    if (logged.isPresent()) {
      StructType existing = logged.get().schema();
      boolean same =
          existing.fields().length == table.schema().fields().length
              && logged.get().partitionColumns().equals(table.partitionColumn().stream().toList());
      for (StructField field : table.schema().fields()) {
        Optional<StructField> old =
            Arrays.stream(existing.fields())
                .filter(f -> f.name().equalsIgnoreCase(field.name()))
                .findFirst();
        same &= old.isPresent() && old.get().dataType().equals(field.dataType());
        if (old.isEmpty()) {
          LOG.info(
              "table={} event=schema-evolution added_column={} type={}",
              table.name(),
              field.name(),
              field.dataType().simpleString());
        } else if (old.get().dataType() instanceof DoubleType
            && field.dataType() instanceof DecimalType) {
          LOG.info(
              "table={} event=schema-migration column={} from=double to={}",
              table.name(),
              field.name(),
              field.dataType().simpleString());
          moneyToDecimal.computeIfAbsent(table.name(), t -> new ArrayList<>()).add(field);
        } else if (!old.get().dataType().equals(field.dataType())) {
          throw new SchemaChangeException(
              "table "
                  + path(table.name())
                  + ": column "
                  + field.name()
                  + " is "
                  + old.get().dataType().simpleString()
                  + " in the table but this job writes "
                  + field.dataType().simpleString()
                  + "; a type change is not applied automatically: migrate the "
                  + "table (or write to a new warehouse) first. Nothing was written.");
        }
      }
      if (same) {
        current.add(table.name());
      }
      ready.add(table.name());
      return true;
    }
    return false;
  }

  /**
   * Rewrites an existing table with its DOUBLE money columns as DECIMAL (rounded half-up to the
   * money scale), in one atomic commit; the table's history keeps the version before it.
   */
  private void toDecimal(TableSchema table, List<StructField> fields) {
    Dataset<Row> all = read(table.name());
    for (StructField field : fields) {
      all =
          all.withColumn(
              field.name(),
              col(field.name()).cast(field.dataType()).as(field.name(), field.metadata()));
    }
    DataFrameWriter<Row> writer =
        all.write().format("delta").mode("overwrite").option("overwriteSchema", "true");
    if (table.partitionColumn().isPresent()) {
      writer = writer.partitionBy(table.partitionColumn().get());
    }
    writer.save(path(table.name()));
    LOG.info(
        "table={} event=schema-migrated columns={}",
        table.name(),
        fields.stream().map(StructField::name).toList());
  }

  private void create(TableSchema table) {
    DeltaTableBuilder builder =
        DeltaTable.createIfNotExists(spark).location(path(table.name())).comment(table.comment());
    for (StructField field : table.schema().fields()) {
      builder = builder.addColumn(field);
    }
    if (table.partitionColumn().isPresent()) {
      builder = builder.partitionedBy(table.partitionColumn().get());
    }
    if (!table.statsColumns().isEmpty()) {
      builder =
          builder.property(
              "delta.dataSkippingStatsColumns", String.join(",", table.statsColumns()));
    }
    builder.execute();
  }
}
