package org.rfmtiers.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times the job's stages and logs one structured line when each starts and ends (with the rows it
 * produced, where that count is known without another Spark job). While a stage runs, the Spark
 * jobs it starts belong to the job group {@code rfm-tiers-<run id>-<stage>} with the description
 * {@code rfm-tiers <run id>: <stage>}, so the Spark UI and event log of a run read as the pipeline;
 * the calling thread's group is restored afterwards. With a status tracker (local mode, where there
 * is no cluster UI to watch), a stage still running after each interval logs a progress line:
 * elapsed time and the tasks done of the Spark stages now active.
 *
 * <p>A listener counts each stage's Spark jobs and the time they ran, so {@link #costs()} tells,
 * per stage, how many Spark jobs it started and how long the driver worked with no job of the stage
 * running (planning, Delta log replays and commits, collecting results, driver-side fits).
 */
final class StageTimer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("org.rfmtiers.stage");
  private static final String JOB_GROUP = "spark.jobGroup.id";
  private static final String JOB_DESCRIPTION = "spark.job.description";
  private final String runId;
  private final Optional<SparkContext> context;
  private final Map<String, Long> millis = new LinkedHashMap<>();
  private final Optional<JavaSparkStatusTracker> tracker;
  private final Duration interval;
  private final Consumer<String> progressSink;
  private final ScheduledExecutorService ticker;
  private final Map<String, List<long[]>> stageSpans = new LinkedHashMap<>();
  private final Map<Integer, Job> jobs = new LinkedHashMap<>();
  private final JobListener listener = new JobListener();

  /** Names the stages' Spark jobs; progress lines (local mode only) go to the stage log. */
  StageTimer(String runId, SparkContext context, Duration interval) {
    this(
        runId,
        Optional.of(context),
        context.isLocal()
            ? Optional.of(JavaSparkContext.fromSparkContext(context).statusTracker())
            : Optional.empty(),
        interval,
        LOG::info);
  }

  StageTimer(
      String runId,
      Optional<SparkContext> context,
      Optional<JavaSparkStatusTracker> tracker,
      Duration interval,
      Consumer<String> progressSink) {
    this.runId = runId;
    this.context = context;
    this.tracker = tracker;
    this.interval = interval;
    this.progressSink = progressSink;
    this.ticker =
        tracker.isEmpty()
            ? null
            : Executors.newSingleThreadScheduledExecutor(
                runnable -> {
                  Thread thread = new Thread(runnable, "rfm-tiers-progress");
                  thread.setDaemon(true);
                  return thread;
                });
    context.ifPresent(c -> c.addSparkListener(listener));
  }

  <T> T time(String stage, Supplier<T> work) {
    return time(stage, work, null);
  }

  /**
   * Times a stage whose end line also reports {@code rows(result)} (which must be cheap: no Spark
   * job).
   */
  <T> T time(String stage, Supplier<T> work, ToLongFunction<T> rows) {
    LOG.info("run_id={} stage={} event=start", runId, stage);
    long start = System.nanoTime();
    long startedAt = System.currentTimeMillis();
    ScheduledFuture<?> progress =
        ticker == null
            ? null
            : ticker.scheduleAtFixedRate(
                () -> progressSink.accept(progressLine(stage, start)),
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    String[] outer =
        context
            .map(
                c ->
                    new String[] {
                      c.getLocalProperty(JOB_GROUP), c.getLocalProperty(JOB_DESCRIPTION)
                    })
            .orElse(null);
    context.ifPresent(
        c ->
            c.setJobGroup(
                "rfm-tiers-" + runId + "-" + stage, "rfm-tiers " + runId + ": " + stage, false));
    T result = null;
    try {
      result = work.get();
      return result;
    } finally {
      context.ifPresent(
          c -> {
            c.setLocalProperty(JOB_GROUP, outer[0]);
            c.setLocalProperty(JOB_DESCRIPTION, outer[1]);
          });
      if (progress != null) {
        progress.cancel(false);
      }
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      millis.merge(stage, elapsed, Long::sum);
      synchronized (stageSpans) {
        stageSpans
            .computeIfAbsent(stage, s -> new ArrayList<>())
            .add(new long[] {startedAt, System.currentTimeMillis()});
      }
      if (rows != null && result != null) {
        LOG.info(
            "run_id={} stage={} event=end ms={} rows={}",
            runId,
            stage,
            elapsed,
            rows.applyAsLong(result));
      } else {
        LOG.info("run_id={} stage={} event=end ms={}", runId, stage, elapsed);
      }
    }
  }

  private String progressLine(String stage, long startNanos) {
    long tasks = 0;
    long done = 0;
    List<String> active = new ArrayList<>();
    JavaSparkStatusTracker status = tracker.get();
    for (int id : status.getActiveStageIds()) {
      SparkStageInfo info = status.getStageInfo(id);
      if (info != null) {
        tasks += info.numTasks();
        done += info.numCompletedTasks();
        active.add(String.valueOf(id));
      }
    }
    return String.format(
        Locale.ROOT,
        "run_id=%s stage=%s event=progress elapsed_s=%d spark_stages=[%s] tasks_done=%d/%d",
        runId,
        stage,
        (System.nanoTime() - startNanos) / 1_000_000_000,
        String.join(",", active),
        done,
        tasks);
  }

  Map<String, Long> millis() {
    return new LinkedHashMap<>(millis);
  }

  /**
   * Per stage, in the order the stages first ran: wall time, the number of Spark jobs it started
   * and its driver-only time (wall time when none of its jobs ran). Waits (up to 2 s) for the
   * listener bus to deliver the last job events first.
   */
  Map<String, StageCost> costs() {
    context.ifPresent(
        c -> {
          try {
            c.listenerBus().waitUntilEmpty(2_000);
          } catch (TimeoutException e) {
            LOG.debug("listener bus still busy; the last stage's job counts may be short");
          }
        });
    Map<String, StageCost> costs = new LinkedHashMap<>();
    synchronized (stageSpans) {
      stageSpans.forEach(
          (stage, spans) -> {
            List<long[]> ran =
                jobs.values().stream()
                    .filter(job -> job.stage.equals(stage))
                    .map(job -> new long[] {job.start, job.end < 0 ? job.start : job.end})
                    .toList();
            long busy = 0;
            for (long[] wall : spans) {
              busy += covered(wall, ran);
            }
            long wallMillis = millis.get(stage);
            costs.put(stage, new StageCost(wallMillis, ran.size(), Math.max(0, wallMillis - busy)));
          });
    }
    return costs;
  }

  /** How much of {@code wall} the union of {@code jobs} covers, in milliseconds. */
  static long covered(long[] wall, List<long[]> jobs) {
    List<long[]> clipped = new ArrayList<>();
    for (long[] job : jobs) {
      long from = Math.max(wall[0], job[0]);
      long to = Math.min(wall[1], job[1]);
      if (to > from) {
        clipped.add(new long[] {from, to});
      }
    }
    clipped.sort((a, b) -> Long.compare(a[0], b[0]));
    long total = 0;
    long end = Long.MIN_VALUE;
    for (long[] span : clipped) {
      long from = Math.max(span[0], end);
      if (span[1] > from) {
        total += span[1] - from;
      }
      end = Math.max(end, span[1]);
    }
    return total;
  }

  /** A Spark job of one of this run's stages; {@code end} is -1 until it ends. */
  private static final class Job {
    final String stage;
    final long start;
    long end = -1;

    Job(String stage, long start) {
      this.stage = stage;
      this.start = start;
    }
  }

  /** Records the jobs of this run's stages (by their job group) with their start and end. */
  private final class JobListener extends SparkListener {
    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String prefix = "rfm-tiers-" + runId + "-";
      String group = start.properties() == null ? null : start.properties().getProperty(JOB_GROUP);
      if (group != null && group.startsWith(prefix)) {
        synchronized (stageSpans) {
          jobs.put(start.jobId(), new Job(group.substring(prefix.length()), start.time()));
        }
      }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
      synchronized (stageSpans) {
        Job job = jobs.get(end.jobId());
        if (job != null) {
          job.end = end.time();
        }
      }
    }
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    context.ifPresent(c -> c.removeSparkListener(listener));
  }
}
