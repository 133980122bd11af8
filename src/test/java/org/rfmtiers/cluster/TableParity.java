package org.rfmtiers.cluster;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.rfmtiers.output.Tables;

/**
 * Compares the snapshot tables of two warehouses (used by bin/cluster-test: a spark-submit run on a
 * standalone cluster against a local-mode run). Run ids and timings differ by nature and are
 * ignored, as are tier model ids (random per training); doubles are compared to 1e-9 relative (sums
 * over differently partitioned data may differ in the last bits); everything else must be equal.
 * Exits 1 on the first difference.
 */
public final class TableParity {
  private static final List<String> TABLES = Tables.SNAPSHOT_TABLES;
  private static final List<String> IGNORED =
      List.of("run_id", "fit_ms", "tier_model_id", "previous_tier_model_id");

  private TableParity() {}

  public static void main(String[] args) {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("table-parity")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .getOrCreate();
    int failures = 0;
    for (String table : TABLES) {
      String problem = compare(spark, args[0] + "/" + table, args[1] + "/" + table);
      System.out.println(
          (problem == null ? "same     " : "DIFFERENT ")
              + table
              + (problem == null ? "" : ": " + problem));
      failures += problem == null ? 0 : 1;
    }
    spark.stop();
    System.exit(failures == 0 ? 0 : 1);
  }

  static String compare(SparkSession spark, String left, String right) {
    Dataset<Row> a = normalised(spark.read().format("delta").load(left));
    Dataset<Row> b = normalised(spark.read().format("delta").load(right));
    if (!Arrays.equals(a.columns(), b.columns())) {
      return "columns " + Arrays.toString(a.columns()) + " vs " + Arrays.toString(b.columns());
    }
    List<Row> rowsA = a.collectAsList();
    List<Row> rowsB = b.collectAsList();
    if (rowsA.size() != rowsB.size()) {
      return rowsA.size() + " rows vs " + rowsB.size();
    }
    StructField[] fields = a.schema().fields();
    for (int i = 0; i < rowsA.size(); i++) {
      for (int f = 0; f < fields.length; f++) {
        Object x = rowsA.get(i).get(f);
        Object y = rowsB.get(i).get(f);
        boolean same =
            fields[f].dataType().equals(DataTypes.DoubleType) && x != null && y != null
                ? Math.abs((Double) x - (Double) y) <= 1e-9 * Math.max(1, Math.abs((Double) x))
                : Objects.equals(x, y);
        if (!same) {
          return "row " + i + " column " + fields[f].name() + ": " + x + " vs " + y;
        }
      }
    }
    return null;
  }

  /** Ignored columns dropped; rows in a total order of the remaining columns (doubles last). */
  private static Dataset<Row> normalised(Dataset<Row> data) {
    Dataset<Row> kept = data.drop(IGNORED.toArray(String[]::new));
    List<Column> order = new ArrayList<>();
    List<Column> doubles = new ArrayList<>();
    for (StructField f : kept.schema().fields()) {
      if (f.dataType().equals(DataTypes.DoubleType)) {
        doubles.add(col(f.name()));
      } else if (!(f.dataType() instanceof ArrayType) && !(f.dataType() instanceof MapType)) {
        order.add(col(f.name()));
      }
    }
    order.addAll(doubles);
    return kept.orderBy(order.toArray(Column[]::new));
  }
}
