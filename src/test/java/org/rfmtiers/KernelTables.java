package org.rfmtiers;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a Delta table through delta-kernel (the Delta protocol without Spark, as Trino, DuckDB,
 * Flink and Power BI's connector do): every row of the latest version, as text "column=value" in
 * the table's column order, so tests compare it with what Spark SQL reads.
 */
public final class KernelTables {
  private KernelTables() {}

  /** The table's column names, in order. */
  public static List<String> columns(String path) {
    Engine engine = DefaultEngine.create(new Configuration());
    return Table.forPath(engine, path).getLatestSnapshot(engine).getSchema().fieldNames();
  }

  /** Every row of the table as text, one string per row. */
  public static List<String> rows(String path) {
    Engine engine = DefaultEngine.create(new Configuration());
    Snapshot snapshot = Table.forPath(engine, path).getLatestSnapshot(engine);
    StructType schema = snapshot.getSchema();
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    StructType physical = ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
    List<String> rows = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            Row file = fileRows.next();
            FileStatus status = InternalScanFileUtils.getAddFileStatus(file);
            CloseableIterator<ColumnarBatch> data =
                engine
                    .getParquetHandler()
                    .readParquetFiles(singleton(status), physical, Optional.empty());
            try (CloseableIterator<FilteredColumnarBatch> logical =
                Scan.transformPhysicalData(engine, scanState, file, data)) {
              while (logical.hasNext()) {
                try (CloseableIterator<Row> values = logical.next().getRows()) {
                  while (values.hasNext()) {
                    rows.add(text(values.next(), schema));
                  }
                }
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private static String text(Row row, StructType schema) {
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < schema.length(); i++) {
      fields.add(schema.at(i).getName() + "=" + value(row, i, schema.at(i).getDataType()));
    }
    return String.join(", ", fields);
  }

  private static Object value(Row row, int i, DataType type) {
    if (row.isNullAt(i)) {
      return null;
    }
    if (type instanceof StringType) {
      return row.getString(i);
    }
    if (type instanceof IntegerType) {
      return row.getInt(i);
    }
    if (type instanceof LongType) {
      return row.getLong(i);
    }
    if (type instanceof DoubleType) {
      return row.getDouble(i);
    }
    if (type instanceof BooleanType) {
      return row.getBoolean(i);
    }
    if (type instanceof DecimalType) {
      return row.getDecimal(i).toPlainString();
    }
    if (type instanceof DateType) {
      return LocalDate.ofEpochDay(row.getInt(i));
    }
    if (type instanceof TimestampType) {
      return row.getLong(i); // microseconds since the epoch, UTC
    }
    throw new IllegalArgumentException("no text for " + type);
  }

  private static CloseableIterator<FileStatus> singleton(FileStatus status) {
    return new CloseableIterator<>() {
      private boolean done;

      @Override
      public boolean hasNext() {
        return !done;
      }

      @Override
      public FileStatus next() {
        done = true;
        return status;
      }

      @Override
      public void close() {}
    };
  }
}
