package org.rfmtiers.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Times the job's stages and logs one structured line when each starts and ends. */
final class StageTimer {
  private static final Logger LOG = LoggerFactory.getLogger("org.rfmtiers.stage");
  private final String runId;
  private final Map<String, Long> millis = new LinkedHashMap<>();

  StageTimer(String runId) {
    this.runId = runId;
  }

  <T> T time(String stage, Supplier<T> work) {
    LOG.info("run_id={} stage={} event=start", runId, stage);
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      millis.merge(stage, elapsed, Long::sum);
      LOG.info("run_id={} stage={} event=end ms={}", runId, stage, elapsed);
    }
  }

  Map<String, Long> millis() {
    return new LinkedHashMap<>(millis);
  }
}
