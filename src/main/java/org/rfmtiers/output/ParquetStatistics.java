package org.rfmtiers.output;

import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;

/**
 * A data file's Delta statistics (row count; null count, minimum and maximum of the table's
 * statistics columns) from its Parquet footer, read on the driver after Spark wrote the file.
 *
 * <p>Bounds are kept only where they are exact for every reader: strings up to {@link #MAX_STRING}
 * characters (Delta's own prefix length; a longer minimum is cut, which stays a lower bound, a
 * longer maximum is left out), integers, longs, dates, booleans and decimals. Doubles are left out
 * (Parquet's bounds skip NaN, Delta's reader would not expect that), and so are timestamps (INT96
 * has no Parquet statistics). A column without bounds is simply never skipped.
 */
final class ParquetStatistics {
  /** Delta's data-skipping prefix length for strings. */
  static final int MAX_STRING = 32;

  private ParquetStatistics() {}

  /**
   * The statistics of one file, over {@code columns} of {@code schema} (the table's schema;
   * partition columns are not in the file and are skipped).
   */
  static DataFileStatistics of(
      Configuration conf, FileStatus file, StructType schema, List<String> columns) {
    ParquetMetadata footer;
    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromStatus(file, conf))) {
      footer = reader.getFooter();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the footer of " + file.getPath(), e);
    }
    long rows = 0;
    for (BlockMetaData block : footer.getBlocks()) {
      rows += block.getRowCount();
    }
    Map<Column, Literal> min = new HashMap<>();
    Map<Column, Literal> max = new HashMap<>();
    Map<Column, Long> nulls = new HashMap<>();
    for (String name : columns) {
      int index = schema.indexOf(name);
      if (index < 0) {
        continue;
      }
      StructField field = schema.at(index);
      Bounds bounds = bounds(footer, name, field.getDataType());
      if (bounds == null) {
        continue;
      }
      Column column = new Column(name);
      nulls.put(column, bounds.nulls);
      if (bounds.min != null) {
        min.put(column, bounds.min);
      }
      if (bounds.max != null) {
        max.put(column, bounds.max);
      }
    }
    return new DataFileStatistics(rows, min, max, nulls);
  }

  /** A column's null count and bounds over the file's row groups (bounds null: unknown). */
  private record Bounds(long nulls, Literal min, Literal max) {}

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static Bounds bounds(ParquetMetadata footer, String name, DataType type) {
    if (!supported(type)) {
      return null;
    }
    long nulls = 0;
    Comparable low = null;
    Comparable high = null;
    Comparator comparator = null;
    for (BlockMetaData block : footer.getBlocks()) {
      ColumnChunkMetaData chunk = chunk(block, name);
      if (chunk == null) {
        return null;
      }
      Statistics statistics = chunk.getStatistics();
      if (statistics == null || !statistics.isNumNullsSet()) {
        return null;
      }
      nulls += statistics.getNumNulls();
      if (chunk.getValueCount() == statistics.getNumNulls()) {
        continue; // only nulls in this row group
      }
      if (!statistics.hasNonNullValue()) {
        return null; // values without bounds (Parquet leaves out a bound too long to keep)
      }
      comparator = statistics.comparator();
      Comparable blockMin = statistics.genericGetMin();
      Comparable blockMax = statistics.genericGetMax();
      if (low == null || comparator.compare(blockMin, low) < 0) {
        low = blockMin;
      }
      if (high == null || comparator.compare(blockMax, high) > 0) {
        high = blockMax;
      }
    }
    if (low == null) { // only nulls in the file
      return new Bounds(nulls, null, null);
    }
    return new Bounds(nulls, literal(low, type, false), literal(high, type, true));
  }

  private static boolean supported(DataType type) {
    return type instanceof StringType
        || type instanceof IntegerType
        || type instanceof LongType
        || type instanceof DateType
        || type instanceof BooleanType
        || type instanceof DecimalType;
  }

  private static ColumnChunkMetaData chunk(BlockMetaData block, String name) {
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      String[] path = chunk.getPath().toArray();
      if (path.length == 1 && path[0].equals(name)) {
        return chunk;
      }
    }
    return null;
  }

  /** A Parquet bound as Delta's literal of the column's type; null where it cannot be exact. */
  private static Literal literal(Object value, DataType type, boolean upper) {
    if (type instanceof StringType) {
      String text = ((Binary) value).toStringUsingUTF8();
      if (text.length() <= MAX_STRING) {
        return Literal.ofString(text);
      }
      return upper ? null : Literal.ofString(prefix(text));
    }
    if (type instanceof IntegerType) {
      return Literal.ofInt(((Number) value).intValue());
    }
    if (type instanceof DateType) {
      return Literal.ofDate(((Number) value).intValue());
    }
    if (type instanceof LongType) {
      return Literal.ofLong(((Number) value).longValue());
    }
    if (type instanceof BooleanType) {
      return Literal.ofBoolean((Boolean) value);
    }
    DecimalType decimal = (DecimalType) type;
    BigInteger unscaled =
        value instanceof Binary binary
            ? new BigInteger(binary.getBytes())
            : BigInteger.valueOf(((Number) value).longValue());
    return Literal.ofDecimal(
        new BigDecimal(unscaled, decimal.getScale()), decimal.getPrecision(), decimal.getScale());
  }

  /** The first {@link #MAX_STRING} characters, not splitting a surrogate pair. */
  private static String prefix(String text) {
    int end = MAX_STRING;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }
}
