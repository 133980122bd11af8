package org.rfmtiers.job;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * What a successful run did: identifiers, counts, the tiering outcome, the tier summary rows, a
 * one-line description of the CLV fit (null when CLV is disabled) and of the tier model.
 */
public record RunResult(
    String runId,
    LocalDate snapshotDate,
    String warehouse,
    long rowsRead,
    long rowsValid,
    long rowsRejected,
    long rowsAfterAsOf,
    Map<String, Long> rejectsByReason,
    long customers,
    int k,
    String kSelection,
    Double silhouette,
    List<Row> tierSummary,
    String clvSummary,
    List<String> warnings,
    Map<String, Long> stageMillis,
    String mode,
    String tierModel,
    long rowsAnonymous,
    BigDecimal anonymousAmount,
    Map<String, StageCost> stageCosts) {}
