package org.rfmtiers.output;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One output table: its name under the warehouse, its comment, its optional partition column, and its
 * columns with types and comments. {@link #conform} shapes a Dataset to exactly this schema.
 */
public record TableSchema(String name, String comment, Optional<String> partitionColumn, StructType schema) {

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

    private Builder(String name, String comment) {
      this.name = name;
      this.comment = comment;
    }

    public Builder column(String column, DataType type, String columnComment) {
      fields.add(new StructField(column, type, true, org.apache.spark.sql.types.Metadata.empty()).withComment(columnComment));
      return this;
    }

    public Builder partitionedBy(String column) {
      this.partitionColumn = column;
      return this;
    }

    public TableSchema build() {
      return new TableSchema(name, comment, Optional.ofNullable(partitionColumn),
          new StructType(fields.toArray(StructField[]::new)));
    }
  }
}
