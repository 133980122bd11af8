package org.rfmtiers.report;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The report's queries run side by side, a query's failure reaches the report as the query threw
 * it, and the pool is not left with a query running once it is closed.
 */
class FigureQueriesTest {
  @Test
  void queriesRunSideBySide() throws Exception {
    // four queries that each wait for all four to have started: they finish only if they overlap
    CountDownLatch started = new CountDownLatch(4);
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    try (FigureQueries queries = new FigureQueries()) {
      for (int i = 0; i < 4; i++) {
        int n = i;
        results.add(
            queries.submit(
                () -> {
                  started.countDown();
                  try {
                    assertTrue(started.await(10, TimeUnit.SECONDS), "the queries did not overlap");
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  return n * n;
                }));
      }
      List<Integer> squares = results.stream().map(FigureQueries::join).toList();
      assertEquals(List.of(0, 1, 4, 9), squares);
    }
  }

  @Test
  void aFailedQueryIsRethrownAsItWasThrown() {
    IllegalArgumentException thrown = new IllegalArgumentException("no such column: tier");
    try (FigureQueries queries = new FigureQueries()) {
      CompletableFuture<Object> failing =
          queries.submit(
              () -> {
                throw thrown;
              });
      assertSame(
          thrown, assertThrows(IllegalArgumentException.class, () -> FigureQueries.join(failing)));
    }
  }

  @Test
  void closeWaitsForTheQueriesStillRunning() {
    AtomicBoolean finished = new AtomicBoolean();
    FigureQueries queries = new FigureQueries();
    queries.submit(
        () -> {
          try {
            Thread.sleep(300);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          finished.set(true);
          return null;
        });
    queries.close();
    assertTrue(finished.get());
  }
}
