package org.rfmtiers.ingest;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The input as read: one row per input line with the mapped columns as text (the {@code raw_*}
 * columns), an optional already-typed timestamp (then {@code raw_order_ts} is null: see {@link
 * TransactionSource#rawOrderTs}), and the source file; plus the fixed listing that was read, and
 * whether amounts came from a binary floating-point column (those are rounded to the money scale
 * rather than rejected for their representation error), and the input columns that no setting maps
 * (ignored).
 */
public record RawTransactions(
    Dataset<Row> rows,
    List<String> files,
    boolean floatingPointAmounts,
    List<String> ignoredColumns) {}
