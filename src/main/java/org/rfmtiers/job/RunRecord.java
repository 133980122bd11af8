package org.rfmtiers.job;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.features.CustomerSums;
import org.rfmtiers.ingest.ValidatedLines;
import org.rfmtiers.tiers.TierResult;

/**
 * What a run has established so far: the orchestrator records each stage's immutable result as it
 * returns, and the run_log row is made from them once, at the end, whether the run succeeded or
 * failed (a failed run's row has what it knew before the failure).
 */
final class RunRecord {
  final String runId;
  private final Instant startedAt;
  private final String inputUri;
  private final JobSettings settings;
  private List<String> inputFiles = List.of();
  private Optional<ValidatedLines> lines = Optional.empty();
  private Optional<LocalDate> snapshot = Optional.empty();
  private Optional<CustomerSums> sums = Optional.empty();
  private Optional<String> mode = Optional.empty();
  private Optional<TierResult> tiers = Optional.empty();
  private Optional<Reconciliation> reconciliation = Optional.empty();
  private final List<String> warnings = new ArrayList<>();

  RunRecord(String runId, Instant startedAt, String inputUri, JobSettings settings) {
    this.runId = runId;
    this.startedAt = startedAt;
    this.inputUri = inputUri;
    this.settings = settings;
  }

  void read(List<String> files) {
    inputFiles = List.copyOf(files);
  }

  void validated(ValidatedLines validated) {
    lines = Optional.of(validated);
  }

  void summed(LocalDate snapshotDate, CustomerSums customerSums, String runMode) {
    snapshot = Optional.of(snapshotDate);
    sums = Optional.of(customerSums);
    mode = Optional.of(runMode);
  }

  void tiered(TierResult result) {
    tiers = Optional.of(result);
  }

  void reconciled(Reconciliation result) {
    reconciliation = Optional.of(result);
  }

  void warn(List<String> more) {
    warnings.addAll(more);
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The result of a run that published its snapshot. */
  RunResult result(
      String warehouse,
      List<Row> tierSummary,
      String clvSummary,
      Map<String, Long> stageMillis,
      Map<String, StageCost> stageCosts) {
    ValidatedLines v = lines.orElseThrow();
    TierResult t = tiers.orElseThrow();
    return new RunResult(
        runId,
        snapshot.orElseThrow(),
        warehouse,
        v.read(),
        v.valid(),
        v.rejected(),
        sums.orElseThrow().rowsAfterAsOf(),
        v.rejectsByReason(),
        reconciliation.orElseThrow().customers(),
        t.k(),
        t.kSelection(),
        t.silhouette(),
        tierSummary,
        clvSummary,
        warnings(),
        stageMillis,
        mode.orElseThrow(),
        t.describeModel(),
        v.anonymous(),
        reconciliation.orElseThrow().anonymousAmount(),
        stageCosts);
  }

  /** The row in {@code Tables.runLog} column order. */
  Row toRow(
      String status, String failureReason, Instant finishedAt, Map<String, Long> stageMillis) {
    Optional<Reconciliation> r = reconciliation;
    return RowFactory.create(
        runId,
        snapshot.map(Date::valueOf).orElse(null),
        status,
        failureReason,
        Timestamp.from(startedAt),
        Timestamp.from(finishedAt),
        inputUri,
        settings.input().format(),
        inputFiles,
        lines.map(ValidatedLines::read).orElse(null),
        lines.map(ValidatedLines::valid).orElse(null),
        lines.map(ValidatedLines::rejected).orElse(null),
        sums.map(CustomerSums::rowsAfterAsOf).orElse(null),
        r.map(Reconciliation::customers).orElse(null),
        tiers.map(TierResult::k).orElse(null),
        tiers.map(TierResult::kSelection).orElse(null),
        tiers.map(TierResult::silhouette).orElse(null),
        tiers.map(TierResult::silhouetteByK).orElse(Map.of()),
        stageMillis,
        settings.returnsPolicy().name().toLowerCase(Locale.ROOT),
        r.map(Reconciliation::validAmount).orElse(null),
        r.map(Reconciliation::monetaryTotal).orElse(null),
        r.map(Reconciliation::unattributed).orElse(null),
        r.map(Reconciliation::reconciled).orElse(null),
        warnings(),
        settings.redacted(),
        mode.orElse(null),
        tiers.map(t -> t.model().modelId()).orElse(null),
        tiers.map(TierResult::action).orElse(null),
        tiers.flatMap(TierResult::trainedReason).orElse(null),
        tiers.map(TierResult::drift).orElse(Map.of()),
        lines.map(ValidatedLines::anonymous).orElse(null),
        r.map(Reconciliation::anonymousAmount).orElse(null));
  }
}
