package org.rfmtiers.job;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** The run_log row of one run, filled in as the run progresses and written whether it succeeds or fails. */
final class RunLogEntry {
  final String runId;
  final Instant startedAt;
  LocalDate snapshotDate;
  String inputUri;
  String inputFormat;
  List<String> inputFiles = new ArrayList<>();
  Long rowsRead;
  Long rowsValid;
  Long rowsRejected;
  Long rowsAfterAsOf;
  Long customers;
  Integer k;
  String kSelection;
  Double silhouette;
  Map<Integer, Double> silhouetteByK = new LinkedHashMap<>();
  String returnsPolicy;
  BigDecimal validAmount;
  BigDecimal monetaryTotal;
  BigDecimal unattributedAmount;
  Boolean reconciled;
  List<String> warnings = new ArrayList<>();
  String settings;
  String mode;

  RunLogEntry(String runId, Instant startedAt) {
    this.runId = runId;
    this.startedAt = startedAt;
  }

  /** The row in {@code Tables.runLog} column order. */
  Row toRow(String status, String failureReason, Instant finishedAt, Map<String, Long> stageMillis) {
    return RowFactory.create(
        runId,
        snapshotDate == null ? null : Date.valueOf(snapshotDate),
        status,
        failureReason,
        Timestamp.from(startedAt),
        Timestamp.from(finishedAt),
        inputUri,
        inputFormat,
        inputFiles,
        rowsRead,
        rowsValid,
        rowsRejected,
        rowsAfterAsOf,
        customers,
        k,
        kSelection,
        silhouette,
        silhouetteByK,
        stageMillis,
        returnsPolicy,
        validAmount,
        monetaryTotal,
        unattributedAmount,
        reconciled,
        warnings,
        settings,
        mode);
  }
}
