package org.rfmtiers.job;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.rfmtiers.tiers.TierResult;

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
    String tierModel) {

  static RunResult of(
      String runId,
      LocalDate snapshotDate,
      String warehouse,
      Counts counts,
      long customers,
      TierResult tiers,
      List<Row> summary,
      String clvSummary,
      List<String> warnings,
      Map<String, Long> stageMillis,
      String mode) {
    return new RunResult(
        runId,
        snapshotDate,
        warehouse,
        counts.read(),
        counts.valid(),
        counts.rejected(),
        counts.afterAsOf(),
        counts.rejectsByReason(),
        customers,
        tiers.k(),
        tiers.kSelection(),
        tiers.silhouette(),
        summary,
        clvSummary,
        warnings,
        stageMillis,
        mode,
        tiers.describeModel());
  }

  /** Row counts of the validation step. */
  record Counts(
      long read, long valid, long rejected, long afterAsOf, Map<String, Long> rejectsByReason) {}
}
