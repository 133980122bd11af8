package org.rfmtiers.output;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One output table: its name under the warehouse, its comment, its optional partition column, its
 * columns with types and comments, and the columns Delta keeps file statistics of (empty: Delta's
 * default, the first 32). {@link #conform} shapes a Dataset to exactly this schema.
 */
public record TableSchema(
    String name,
    String comment,
    Optional<String> partitionColumn,
    StructType schema,
    List<String> statsColumns) {

  /** The same table under another name and comment: same columns, partitioning and statistics. */
  public TableSchema as(
      String otherName, String otherComment, Optional<String> otherPartitionColumn) {
    return new TableSchema(otherName, otherComment, otherPartitionColumn, schema, statsColumns);
  }

  /** Starts a schema; add columns in the order BI users should see them. */
  public static Builder table(String name, String comment) {
    return new Builder(name, comment);
  }

  /** Selects the table's columns in order, cast to their types, carrying their comments. */
  public Dataset<Row> conform(Dataset<Row> data) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(col(field.name()).cast(field.dataType()).as(field.name(), field.metadata()));
    }
    return data.select(columns.toArray(Column[]::new));
  }

  /** Collects columns for a {@link TableSchema}. */
  public static final class Builder {
    private final String name;
    private final String comment;
    private final List<StructField> fields = new ArrayList<>();
    private String partitionColumn;
    private List<String> statsColumns = List.of();

    private Builder(String name, String comment) {
      this.name = name;
      this.comment = comment;
    }

    public Builder column(String column, DataType type, String columnComment) {
      fields.add(new StructField(column, type, true, Metadata.empty()).withComment(columnComment));
      return this;
    }

    public Builder partitionedBy(String column) {
      this.partitionColumn = column;
      return this;
    }

    /**
     * The columns Delta keeps min/max statistics of for data skipping, instead of the first 32:
     * collecting them for every column of a wide table cost as much CPU as encoding its Parquet.
     */
    public Builder statsColumns(String... columns) {
      this.statsColumns = List.of(columns);
      return this;
    }

    public TableSchema build() {
      return new TableSchema(
          name,
          comment,
          Optional.ofNullable(partitionColumn),
          new StructType(fields.toArray(StructField[]::new)),
          statsColumns);
    }
  }
}
