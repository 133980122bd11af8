package org.rfmtiers.output;

import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warehouse table's Delta log, read and committed in this process through Delta Kernel: no Spark
 * job replays the log (a Spark Delta write reconstructs the table's state in two Spark jobs and
 * filters the replaced files in a third, about a second a table even when the table is small).
 *
 * <p>A commit replaces one partition (or the whole table, or nothing: an append) by files already
 * written: the removes are the files of that partition at the version the commit reads, and the
 * commit is written as the next version only if no other commit took it. Kernel's own retry would
 * rebase the removes on a newer version without checking them against what that version changed, so
 * it is off; a commit that loses the race is planned again from the newer version, which gives the
 * same guarantee as Delta's {@code replaceWhere}: the partition holds exactly the new files.
 */
final class KernelLog {
  private static final Logger LOG = LoggerFactory.getLogger(KernelLog.class);

  /** Commits planned again after losing the race for a version to another writer. */
  private static final int ATTEMPTS = 20;

  private static final String ENGINE_INFO = "rfm-tiers";

  /**
   * One commit at a time per table in this JVM. The log store writes a version by renaming a
   * temporary file with "no overwrite", which a local file system checks before it renames: two
   * threads committing the same version both passed the check and the second rename replaced the
   * first's commit (its checksum file the other's). Found by {@code KernelCommitTest}'s racing
   * writers; commits from other JVMs rely on the store's own rename, as Delta's do.
   */
  private static final ConcurrentHashMap<String, Object> COMMITTING = new ConcurrentHashMap<>();

  /** Delta's default number of leading columns with statistics. */
  private static final int DEFAULT_STATS_COLUMNS = 32;

  private final Configuration hadoopConf;
  private final Engine engine;

  KernelLog(Configuration hadoopConf) {
    this.hadoopConf = hadoopConf;
    this.engine = DefaultEngine.create(hadoopConf);
  }

  /** A data file written for a commit: where, how big, when, and its statistics. */
  record DataFile(String path, long size, long modificationTime, DataFileStatistics stats) {}

  /** A table this class cannot read or commit exactly as Delta would (deletion vectors, ...). */
  static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message);
    }
  }

  /** A table's columns in Spark's types, and the columns it is partitioned by. */
  record Layout(StructType schema, List<String> partitionColumns) {}

  /** The table's latest layout; empty when it has no Delta log. */
  Optional<Layout> layout(String tablePath) {
    try {
      return Optional.of(layout(Table.forPath(engine, tablePath).getLatestSnapshot(engine)));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  private static Layout layout(Snapshot snapshot) {
    return new Layout(
        (StructType) DataType.fromJson(snapshot.getSchema().toJson()),
        snapshot.getPartitionColumnNames());
  }

  /** The dates of the partitions that hold files in the table's latest version. */
  TreeSet<LocalDate> partitionDates(String tablePath, String partitionColumn) {
    TreeSet<LocalDate> dates = new TreeSet<>();
    Snapshot snapshot = Table.forPath(engine, tablePath).getLatestSnapshot(engine);
    scanFiles(
        snapshot,
        Optional.empty(),
        file -> {
          String value = partitionValues(file).get(partitionColumn);
          if (value != null) {
            dates.add(LocalDate.parse(value));
          }
        });
    return dates;
  }

  /** A table's layout and the absolute paths of its files, both of one version. */
  record Listing(Layout layout, List<String> files) {}

  /**
   * The table's latest layout and files, of one partition when {@code partition} is given.
   *
   * @throws Unsupported a file has a deletion vector (its rows are not all live)
   * @throws TableNotFoundException the table has no Delta log
   */
  Listing listing(String tablePath, Optional<Partition> partition) {
    List<String> files = new ArrayList<>();
    Snapshot snapshot = Table.forPath(engine, tablePath).getLatestSnapshot(engine);
    scanFiles(
        snapshot,
        partition,
        file -> {
          liveFile(file);
          files.add(InternalScanFileUtils.getAddFileStatus(file).getPath());
        });
    return new Listing(layout(snapshot), files);
  }

  /**
   * The add action of a scan file whose rows are all live.
   *
   * @throws Unsupported the file has a deletion vector
   */
  private static AddFile liveFile(Row scanFile) {
    AddFile add = new AddFile(scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL));
    if (add.getDeletionVector().isPresent()) {
      throw new Unsupported("a file has a deletion vector: " + add.getPath());
    }
    return add;
  }

  /** One partition of a table: its column and the date it holds. */
  record Partition(String column, LocalDate date) {
    String directory() {
      return column + "=" + date;
    }
  }

  /**
   * Commits the Parquet files {@code written} (under the table's folder) as the table's next
   * version, removing every file of {@code partition} ({@code Optional.empty()} and {@code
   * replace}: every file of the table; {@code replace} false: none, an append). Each file's
   * statistics cover {@code statsColumns} (empty: the first 32 columns, as Delta's default); a file
   * without rows is deleted instead of committed. Returns the version committed.
   */
  long commit(
      String tablePath,
      Optional<Partition> partition,
      boolean replace,
      List<FileStatus> written,
      List<String> statsColumns) {
    Table table = Table.forPath(engine, tablePath);
    List<DataFile> added = null;
    for (int attempt = 1; ; attempt++) {
      Transaction txn =
          table
              .createTransactionBuilder(engine, ENGINE_INFO, Operation.WRITE)
              .withMaxRetries(0)
              .build(engine);
      io.delta.kernel.types.StructType schema = txn.getSchema(engine);
      if (added == null) {
        added = dataFiles(written, schema, partition, statsColumns);
      }
      List<Row> actions = new ArrayList<>();
      if (replace) {
        Snapshot read = table.getSnapshotAsOfVersion(engine, txn.getReadTableVersion());
        scanFiles(read, partition, file -> actions.add(remove(file)));
      }
      int removes = actions.size();
      for (DataFile file : added) {
        actions.add(add(tablePath, schema, partition, file));
      }
      try {
        CloseableIterator<Row> iterator = Utils.toCloseableIterator(actions.iterator());
        TransactionCommitResult result;
        synchronized (COMMITTING.computeIfAbsent(tablePath, p -> new Object())) {
          result = txn.commit(engine, CloseableIterable.inMemoryIterable(iterator));
        }
        LOG.debug(
            "table={} version={} removed={} added={}",
            tablePath,
            result.getVersion(),
            removes,
            added.size());
        runHooks(tablePath, result);
        return result.getVersion();
      } catch (ConcurrentWriteException e) {
        if (attempt == ATTEMPTS) {
          throw new IllegalStateException(
              "could not commit to "
                  + tablePath
                  + ": "
                  + ATTEMPTS
                  + " other commits took the next version first",
              e);
        }
        LOG.info("table={} event=commit-retry attempt={}", tablePath, attempt);
      }
    }
  }

  private List<DataFile> dataFiles(
      List<FileStatus> written,
      io.delta.kernel.types.StructType schema,
      Optional<Partition> partition,
      List<String> statsColumns) {
    List<String> columns = statsColumns;
    if (columns.isEmpty()) {
      columns =
          schema.fieldNames().stream()
              .filter(name -> partition.map(p -> !p.column().equals(name)).orElse(true))
              .limit(DEFAULT_STATS_COLUMNS)
              .toList();
    }
    List<DataFile> files = new ArrayList<>();
    for (FileStatus file : written) {
      DataFileStatistics stats = ParquetStatistics.of(hadoopConf, file, schema, columns);
      if (stats.getNumRecords() == 0) {
        delete(file);
      } else {
        files.add(
            new DataFile(
                file.getPath().toString(), file.getLen(), file.getModificationTime(), stats));
      }
    }
    return files;
  }

  private void delete(FileStatus file) {
    try {
      file.getPath().getFileSystem(hadoopConf).delete(file.getPath(), false);
    } catch (IOException e) {
      LOG.warn(
          "file={} event=empty-file-not-deleted reason=\"{}\"", file.getPath(), e.getMessage());
    }
  }

  /**
   * Checkpoints and checksums after a commit. The commit is already durable: a hook that fails
   * leaves the next reader to replay a few more JSON files, nothing more.
   */
  private void runHooks(String tablePath, TransactionCommitResult result) {
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      try {
        hook.threadSafeInvoke(engine);
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "table={} version={} event=post-commit-hook-failed hook={} reason=\"{}\"",
            tablePath,
            result.getVersion(),
            hook.getType(),
            e.getMessage());
      }
    }
  }

  private static Row remove(Row scanFile) {
    return SingleAction.createRemoveFileSingleAction(
        liveFile(scanFile).toRemoveFileRow(true /* dataChange */, Optional.empty()));
  }

  private static Row add(
      String tablePath,
      io.delta.kernel.types.StructType schema,
      Optional<Partition> partition,
      DataFile file) {
    String root = new Path(tablePath).toUri().getPath();
    String absolute = new Path(file.path()).toUri().getPath();
    if (!absolute.startsWith(root + "/")) {
      throw new IllegalArgumentException(file.path() + " is not under " + tablePath);
    }
    String relative = new Path(absolute.substring(root.length() + 1)).toUri().toString();
    Map<String, String> values =
        partition.map(p -> Map.of(p.column(), p.date().toString())).orElse(Map.of());
    Row row =
        AddFile.createAddFileRow(
            schema,
            relative,
            VectorUtils.stringStringMapValue(values),
            file.size(),
            file.modificationTime(),
            true /* dataChange */,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(file.stats()));
    return SingleAction.createAddFileSingleAction(row);
  }

  /**
   * Each file of the snapshot (of one partition when given: pruned by Kernel, and checked here
   * against the file's own partition value).
   */
  private void scanFiles(Snapshot snapshot, Optional<Partition> partition, Consumer<Row> each) {
    var builder = snapshot.getScanBuilder();
    if (partition.isPresent()) {
      builder =
          builder.withFilter(
              new Predicate(
                  "=",
                  new Column(partition.get().column()),
                  Literal.ofDate((int) partition.get().date().toEpochDay())));
    }
    Scan scan = builder.build();
    String wanted = partition.map(p -> p.date().toString()).orElse(null);
    try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          while (rows.hasNext()) {
            Row file = rows.next();
            if (wanted == null
                || wanted.equals(partitionValues(file).get(partition.get().column()))) {
              each.accept(file);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> partitionValues(Row scanFile) {
    return InternalScanFileUtils.getPartitionValues(scanFile);
  }
}
