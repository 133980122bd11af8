package org.rfmtiers.report;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The report's figures are two dozen small Spark queries that do not depend on one another (a
 * tier's spread, the segment table, the R × F grid, a histogram...). Each spends most of its time
 * on the driver, being planned, and a little in a few tasks, so run one after the other they leave
 * the cores idle most of the time. Submitted here, a few run at once: one is planned while
 * another's tasks run.
 *
 * <p>Submit every query first, then {@link #join} each: a query never waits on another inside the
 * pool, so the pool cannot deadlock.
 */
public final class FigureQueries implements AutoCloseable {
  private static final int THREADS = 4;

  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          THREADS,
          task -> {
            Thread thread = new Thread(task, "report-figures");
            thread.setDaemon(true);
            return thread;
          });

  /** Starts {@code query} on the pool. */
  <T> CompletableFuture<T> submit(Supplier<T> query) {
    return CompletableFuture.supplyAsync(query, pool);
  }

  /** The query's result; its failure rethrown as the query threw it. */
  static <T> T join(CompletableFuture<T> query) {
    try {
      return query.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Waits for the queries still running (after a failure, the others) before returning. */
  @Override
  public void close() {
    pool.shutdown();
    try {
      while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
        // a query over a large snapshot: keep waiting, it cannot wait on another
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
