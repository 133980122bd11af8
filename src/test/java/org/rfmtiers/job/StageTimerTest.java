package org.rfmtiers.job;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.rfmtiers.SparkTestSession;

class StageTimerTest {
  @Test
  void driverOnlyTimeIsTheWallTimeNoJobCovers() {
    long[] wall = {100, 200};
    // jobs 90-120 and 110-130 overlap (30 ms inside the wall), 150-160, 190-250 (10 ms inside)
    List<long[]> jobs =
        List.of(
            new long[] {90, 120},
            new long[] {110, 130},
            new long[] {150, 160},
            new long[] {190, 250},
            new long[] {300, 400});
    assertEquals(30 + 10 + 10, StageTimer.covered(wall, jobs));
    assertEquals(0, StageTimer.covered(wall, List.of()));
  }

  @Test
  void aLongStageReportsTheTasksOfItsSparkJob() {
    SparkSession spark = SparkTestSession.get();
    List<String> lines = new CopyOnWriteArrayList<>();
    try (StageTimer timer =
        new StageTimer(
            "r1",
            Optional.of(spark.sparkContext()),
            Optional.of(JavaSparkContext.fromSparkContext(spark.sparkContext()).statusTracker()),
            Duration.ofMillis(150),
            lines::add)) {
      timer.time(
          "slow",
          () -> {
            // 4 tasks of 500 ms on 2 cores: about a second, several progress ticks
            spark.range(0, 4, 1, 4).foreach((ForeachFunction<Long>) id -> Thread.sleep(500));
            return null;
          });
      assertTrue(timer.millis().get("slow") >= 1000, timer.millis().toString());
      // the stage's Spark job ran in the stage's job group, with its description; the group ends
      // with it
      JavaSparkStatusTracker status =
          JavaSparkContext.fromSparkContext(spark.sparkContext()).statusTracker();
      int[] jobs = status.getJobIdsForGroup("rfm-tiers-r1-slow");
      assertEquals(1, jobs.length, "one Spark job in the slow stage");
      assertNull(
          spark.sparkContext().getLocalProperty("spark.jobGroup.id"),
          "the group is restored after the stage");
      timer.time(
          "described",
          () -> {
            assertEquals(
                "rfm-tiers r1: described",
                spark.sparkContext().getLocalProperty("spark.job.description"));
            return null;
          });
      timer.time(
          "driver",
          () -> {
            try {
              Thread.sleep(300); // the driver works; no Spark job
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return spark.range(0, 10, 1, 2).count();
          });
      Map<String, StageCost> costs = timer.costs();
      assertEquals(1, costs.get("slow").sparkJobs());
      assertTrue(
          costs.get("slow").driverOnlyMillis() < costs.get("slow").millis() - 900,
          "the slow stage's time is its Spark job's: " + costs);
      assertEquals(0, costs.get("described").sparkJobs());
      assertEquals(1, costs.get("driver").sparkJobs(), costs.toString());
      assertTrue(costs.get("driver").driverOnlyMillis() >= 300, costs.toString());
      int ticks = lines.size();
      timer.time("quick", () -> null);
      assertEquals(
          ticks, lines.size(), "no progress line once the stage ended, none for a quick stage");
    }
    assertTrue(lines.size() >= 2, lines.toString());
    assertTrue(
        lines.stream()
            .allMatch(
                l ->
                    l.startsWith("run_id=r1 stage=slow event=progress elapsed_s=")
                        || l.startsWith("run_id=r1 stage=driver event=progress elapsed_s=")),
        lines.toString());
    assertTrue(
        lines.stream().anyMatch(l -> l.matches(".* tasks_done=[0-3]/4")),
        "4 tasks, some not done yet: " + lines);
  }
}
