package org.rfmtiers.ingest;

import static org.apache.spark.sql.functions.*;
import static org.rfmtiers.Columns.*;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.rfmtiers.config.InputSettings;

/**
 * Reads a transaction log (CSV, Parquet, Delta or whitespace-separated text; a file, folder or
 * glob) into {@link RawTransactions}. The file listing is taken once and the data is read from
 * exactly that listing, so files appearing mid-run cannot produce a half-read snapshot. Every
 * mapped value is kept as text; parsing belongs to {@link TransactionValidator}. Amounts,
 * quantities and prices that the input types as decimals or integers are also kept as they are
 * ({@code typed_*}), so they are checked as numbers. A typed timestamp is {@code typed_order_ts}
 * only: its {@code raw_order_ts} is null, printed for rejected rows alone ({@link #rawOrderTs}).
 */
public final class TransactionSource {
  private static final String CORRUPT = "_corrupt_record";
  private final SparkSession spark;
  private final InputSettings settings;

  public TransactionSource(SparkSession spark, InputSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  public RawTransactions read(String uri) {
    if (settings.format().equals("delta")) {
      return readDelta(uri);
    }
    return readFiles(list(uri).stream().map(InputFile::path).toList());
  }

  /** One data file of the input, with what tells a rewritten file from the one read before. */
  public record InputFile(String path, long size, long modified) {}

  /** Whether {@link #list} applies: file formats, not a Delta table. */
  public boolean isFileInput() {
    return !settings.format().equals("delta");
  }

  /**
   * Expands the URI — a file, folder or glob, or several separated by commas — to the data files,
   * sorted by path, a file named twice appearing once.
   */
  public List<InputFile> list(String uri) {
    TreeMap<String, InputFile> files = new TreeMap<>();
    for (String one : splitUris(uri)) {
      listFiles(one, files);
    }
    return new ArrayList<>(files.values());
  }

  /** Reads exactly these data files (paths as {@link #list} gives them). */
  public RawTransactions readFiles(List<String> files) {
    return switch (settings.format()) {
      case "csv" -> readCsv(files);
      case "text" -> readText(files);
      case "parquet" ->
          standardise(
              spark.read().parquet(files.toArray(String[]::new)), files, lit(null).cast("string"));
      default -> throw new IllegalStateException("not a file format: " + settings.format());
    };
  }

  /** Splits on commas outside glob braces ({a,b} is one glob). */
  static List<String> splitUris(String uri) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : uri.toCharArray()) {
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (c == ',' && depth == 0) {
        parts.add(current.toString().trim());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString().trim());
    return parts.stream().filter(p -> !p.isEmpty()).toList();
  }

  private void listFiles(String uri, TreeMap<String, InputFile> files) {
    Path path = new Path(uri);
    TreeMap<String, InputFile> found = new TreeMap<>();
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new InputException(
            "input path " + uri + " does not exist (give --input a file, folder or glob)");
      }
      for (FileStatus match : matches) {
        if (match.isDirectory()) {
          collectDataFiles(fs, match.getPath(), found);
        } else {
          add(match, found);
        }
      }
    } catch (IOException e) {
      throw new InputException("cannot list input path " + uri + ": " + e.getMessage());
    }
    if (found.isEmpty()) {
      throw new InputException("input path " + uri + " contains no data files");
    }
    files.putAll(found);
  }

  private static void add(FileStatus file, TreeMap<String, InputFile> files) {
    String path = file.getPath().toString();
    files.put(path, new InputFile(path, file.getLen(), file.getModificationTime()));
  }

  private static void collectDataFiles(FileSystem fs, Path dir, TreeMap<String, InputFile> files)
      throws IOException {
    for (FileStatus child : fs.listStatus(dir)) {
      String name = child.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue; // _SUCCESS, _delta_log, .crc files: not data
      }
      if (child.isDirectory()) {
        collectDataFiles(fs, child.getPath(), files);
      } else {
        add(child, files);
      }
    }
  }

  private RawTransactions readCsv(List<String> files) {
    String[] paths = files.toArray(String[]::new);
    DataFrameReader reader =
        spark
            .read()
            .option("header", settings.header())
            .option("sep", settings.delimiter())
            .option("inferSchema", false);
    StructType header = reader.csv(paths).schema();
    StructType withCorrupt = header.add(CORRUPT, DataTypes.StringType);
    Dataset<Row> rows =
        reader
            .schema(withCorrupt)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT)
            .csv(paths);
    return standardise(rows, files, col(CORRUPT));
  }

  private RawTransactions readText(List<String> files) {
    Dataset<Row> lines =
        spark
            .read()
            .text(files.toArray(String[]::new))
            .withColumn(SOURCE_FILE, input_file_name())
            .filter(trim(col("value")).notEqual(""));
    List<Row> first = lines.select("value").limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new InputException("input " + describe(files) + " has no non-blank lines");
    }
    String firstLine = first.get(0).getString(0).trim();
    String[] firstTokens = firstLine.split("\\s+");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < firstTokens.length; i++) {
      names.add(settings.header() ? firstTokens[i] : "_c" + i);
    }
    if (settings.header()) {
      // every file of one log repeats the same header line; it is not data
      lines = lines.filter(trim(col("value")).notEqual(firstLine));
    }
    Column tokens = split(trim(col("value")), "\\s+");
    List<Column> columns = new ArrayList<>();
    columns.add(col(SOURCE_FILE));
    for (int i = 0; i < names.size(); i++) {
      columns.add(when(size(tokens).equalTo(names.size()), tokens.getItem(i)).as(names.get(i)));
    }
    columns.add(when(size(tokens).notEqual(names.size()), col("value")).as(CORRUPT));
    return standardise(lines.select(columns.toArray(Column[]::new)), files, col(CORRUPT));
  }

  private RawTransactions readDelta(String uri) {
    DeltaTable table;
    try {
      table = DeltaTable.forPath(spark, uri);
    } catch (Exception e) {
      throw new InputException(
          "input " + uri + " is not a Delta table: " + firstLine(e.getMessage()));
    }
    long version = table.history(1).select("version").head().getLong(0);
    Dataset<Row> rows = spark.read().format("delta").option("versionAsOf", version).load(uri);
    return standardise(rows, List.of(uri + "@v" + version), lit(null).cast("string"));
  }

  /** Maps the configured columns to the fixed raw_* names, failing clearly on a missing one. */
  private RawTransactions standardise(Dataset<Row> rows, List<String> files, Column corrupt) {
    InputSettings.ColumnMapping mapping = settings.columns();
    Map<String, Optional<String>> wanted = new LinkedHashMap<>();
    wanted.put("customer-id", Optional.of(mapping.customerId()));
    wanted.put("order-id", mapping.orderId());
    wanted.put("order-ts", Optional.of(mapping.orderTs()));
    wanted.put("amount", mapping.amount());
    wanted.put("quantity", mapping.quantity());
    wanted.put("unit-price", mapping.unitPrice());
    wanted.put("transaction-id", mapping.transactionId());
    List<String> present = Arrays.asList(rows.columns());
    for (Map.Entry<String, Optional<String>> entry : wanted.entrySet()) {
      entry
          .getValue()
          .filter(name -> !present.contains(name))
          .ifPresent(
              name -> {
                throw new InputException(
                    "input column \""
                        + name
                        + "\" (input.columns."
                        + entry.getKey()
                        + ") not found in "
                        + describe(files)
                        + "; columns present: "
                        + present.stream().filter(c -> !c.equals(CORRUPT)).toList()
                        + ". Map it with --set input.columns."
                        + entry.getKey()
                        + "=<column>");
              });
    }
    List<String> mapped = wanted.values().stream().flatMap(Optional::stream).toList();
    // with amount = quantity x unit price, a column with the amount's default name is left out on
    // purpose (the two would say the same), not a column the mapping forgot
    String amountByDefault = mapping.amount().isEmpty() ? "amount" : null;
    List<String> ignored =
        present.stream()
            .filter(c -> !mapped.contains(c) && !c.equals(CORRUPT) && !c.equals(SOURCE_FILE))
            .filter(c -> !c.equals(amountByDefault))
            .toList();
    DataType tsType = rows.schema().apply(mapping.orderTs()).dataType();
    boolean typedTs =
        tsType instanceof TimestampType
            || tsType instanceof TimestampNTZType
            || tsType instanceof DateType;
    Column source =
        Arrays.asList(rows.columns()).contains(SOURCE_FILE) ? col(SOURCE_FILE) : input_file_name();
    List<Column> columns =
        new ArrayList<>(
            List.of(
                source.as(SOURCE_FILE),
                text(mapping.customerId()).as(RAW_CUSTOMER_ID),
                text(mapping.orderId()).as(RAW_ORDER_ID),
                // a typed timestamp is not printed for every row: only a rejected row's raw text
                // needs it (see
                // SnapshotInput.validated), and printing it took 3 % of a 10 M-line run's CPU
                (typedTs ? lit(null).cast("string") : text(mapping.orderTs())).as(RAW_ORDER_TS),
                (typedTs
                        ? col(quote(mapping.orderTs())).cast("timestamp")
                        : lit(null).cast("timestamp"))
                    .as(TYPED_ORDER_TS),
                text(mapping.amount()).as(RAW_AMOUNT),
                text(mapping.quantity()).as(RAW_QUANTITY),
                text(mapping.unitPrice()).as(RAW_UNIT_PRICE),
                text(mapping.transactionId()).as(RAW_TRANSACTION_ID),
                corrupt.as(RAW_RECORD)));
    // numbers the input already typed exactly are validated as numbers, not printed and parsed
    // again
    exactNumber(rows, mapping.amount()).ifPresent(c -> columns.add(c.as(TYPED_AMOUNT)));
    exactNumber(rows, mapping.quantity()).ifPresent(c -> columns.add(c.as(TYPED_QUANTITY)));
    exactNumber(rows, mapping.unitPrice()).ifPresent(c -> columns.add(c.as(TYPED_UNIT_PRICE)));
    Dataset<Row> raw = rows.select(columns.toArray(Column[]::new));
    return new RawTransactions(
        raw,
        files,
        isFloatingPoint(rows, mapping.amount())
            || isFloatingPoint(rows, mapping.quantity())
            || isFloatingPoint(rows, mapping.unitPrice()),
        ignored);
  }

  /** The raw timestamp text of a row: as read, or, for a typed timestamp, printed from it. */
  public static Column rawOrderTs() {
    return coalesce(col(RAW_ORDER_TS), col(TYPED_ORDER_TS).cast("string"));
  }

  /**
   * How the {@code source_file} column spells a listed file: Spark's input_file_name() is
   * URL-encoded and writes local files as file:///, the listing ({@link InputFile#path}) does
   * neither.
   */
  public static String sourceFileName(String listedPath) {
    String uri = new Path(listedPath).toUri().toString();
    return uri.startsWith("file:/") && !uri.startsWith("file://")
        ? "file://" + uri.substring("file:".length())
        : uri;
  }

  /** The column as it is, when the input types it as a decimal or an integer (exact numbers). */
  private static Optional<Column> exactNumber(Dataset<Row> rows, Optional<String> column) {
    return column
        .filter(
            name -> {
              DataType type = rows.schema().apply(name).dataType();
              return type instanceof DecimalType
                  || type.equals(DataTypes.ByteType)
                  || type.equals(DataTypes.ShortType)
                  || type.equals(DataTypes.IntegerType)
                  || type.equals(DataTypes.LongType);
            })
        .map(name -> col(quote(name)));
  }

  private static boolean isFloatingPoint(Dataset<Row> rows, Optional<String> column) {
    return column
        .map(
            name -> {
              DataType type = rows.schema().apply(name).dataType();
              return type.equals(DataTypes.DoubleType) || type.equals(DataTypes.FloatType);
            })
        .orElse(false);
  }

  private static Column text(String column) {
    return col(quote(column)).cast("string");
  }

  private static Column text(Optional<String> column) {
    return column.map(TransactionSource::text).orElse(lit(null).cast("string"));
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  private static String describe(List<String> files) {
    return files.size() == 1 ? files.get(0) : files.size() + " files (" + files.get(0) + ", ...)";
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
