package org.rfmtiers.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads the CPU samples of a Java Flight Recorder file written by {@code bench/profile} and prints
 * where they fall, for the last {@code --seconds} of the recording (the last, warm run of the
 * loop): by thread kind (Spark task or driver) and by what the code was doing, by the job's own
 * innermost frame (the call site in org.rfmtiers), and, with {@code --frames REGEX}, the stacks of
 * the samples that pass through a matching frame.
 */
public final class Profile {
  /**
   * What a sample was doing: the first of these whose pattern a frame of its stack matches. "Delta
   * snapshot state" is a table's state: log replay, checkpoints, a snapshot's file list.
   */
  private static final String[][] KINDS = {
    {
      "Delta snapshot state",
      "sql\\.delta\\.(Snapshot\\.|SnapshotManagement|LogSegment|InMemoryLogReplay|StateCache|Checkpoint)"
    },
    {"Delta write and commit", "sql\\.delta\\.(OptimisticTransaction|files\\.TransactionalWrite)"},
    {"Delta, other", "sql\\.delta\\."},
    {"plan strings for listener events", "explainString|ExplainUtils|SparkPlanInfo"},
    {
      "code generation",
      "CodegenContext|CodeGenerator|GenerateUnsafeProjection|GenerateSafeProjection|doGenCode"
    },
    {"analysis", "Analyzer|CheckAnalysis"},
    {"optimizer and planner", "Optimizer|QueryPlanner|SparkStrategies|AdaptiveSparkPlanExec"},
    {"Java serialization", "ObjectOutputStream|ObjectInputStream|JavaSerializer"},
    {"Parquet", "parquet"}
  };

  private Profile() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path file = Path.of(options.get("jfr"));
    double seconds = Double.parseDouble(options.getOrDefault("seconds", "60"));
    Pattern frames = options.containsKey("frames") ? Pattern.compile(options.get("frames")) : null;
    List<RecordedEvent> samples = new ArrayList<>();
    Instant end = Instant.MIN;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
        samples.add(e);
        end = e.getStartTime().isAfter(end) ? e.getStartTime() : end;
      }
    }
    Instant from = end.minusMillis((long) (seconds * 1000));
    Map<String, Integer> byKind = new HashMap<>();
    Map<String, Integer> bySite = new HashMap<>();
    Map<String, Integer> byStack = new HashMap<>();
    int total = 0;
    for (RecordedEvent e : samples) {
      RecordedStackTrace stack = e.getStackTrace();
      if (e.getStartTime().isBefore(from) || stack == null) {
        continue;
      }
      total++;
      RecordedThread thread = e.getThread("sampledThread");
      String name = thread == null ? null : thread.getJavaName();
      String side = name != null && name.startsWith("Executor task") ? "task  " : "driver";
      List<String> names = new ArrayList<>();
      String site = "(none)";
      for (RecordedFrame f : stack.getFrames()) {
        String type = f.getMethod().getType().getName();
        names.add(type + "." + f.getMethod().getName());
        if (site.equals("(none)")
            && type.startsWith("org.rfmtiers")
            && !type.contains("$$Lambda")) {
          site =
              type.substring(type.lastIndexOf('.') + 1)
                  + "."
                  + f.getMethod().getName()
                  + ":"
                  + f.getLineNumber();
        }
      }
      String all = String.join("\n", names);
      String kind = "other";
      for (String[] k : KINDS) {
        if (Pattern.compile(k[1]).matcher(all).find()) {
          kind = k[0];
          break;
        }
      }
      byKind.merge(side + "  " + kind, 1, Integer::sum);
      bySite.merge(side + "  " + site, 1, Integer::sum);
      if (frames != null && frames.matcher(all).find()) {
        byStack.merge(
            String.join("\n      < ", names.subList(0, Math.min(25, names.size()))),
            1,
            Integer::sum);
      }
    }
    System.out.printf(
        Locale.ROOT, "%d CPU samples in the last %.0f s of %s%n", total, seconds, file);
    print("by what the code was doing", byKind, total, 30);
    print("by the job's innermost frame", bySite, total, 30);
    if (frames != null) {
      print("stacks through " + frames, byStack, total, 10);
    }
  }

  private static void print(String title, Map<String, Integer> counts, int total, int limit) {
    System.out.println("== " + title);
    counts.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(limit)
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "%6d %5.1f %%  %s%n",
                    e.getValue(),
                    100.0 * e.getValue() / total,
                    e.getKey()));
  }
}
