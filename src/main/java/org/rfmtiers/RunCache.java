package org.rfmtiers;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The results a run keeps in Spark's cache, released together when the run ends, the latest first.
 *
 * <p>The order matters. When Spark drops a cached result, it plans again every other cached result
 * built on it whose blocks are not all loaded (its {@code CacheManager} re-caches them): an
 * optimizer pass and a plan string per dependant, 0.5 to 5 s each on the run's plans. Released
 * latest first, a result has no cached dependant left when it goes. Released in creation order, the
 * end of a 1 M-line run spent 8.5 s (full) and 16.4 s (incremental) doing this.
 */
public final class RunCache implements AutoCloseable {
  private final Deque<Dataset<Row>> held = new ArrayDeque<>();

  /** Persists {@code data} (memory, then disk) and holds it until {@link #close}. */
  public Dataset<Row> persist(Dataset<Row> data) {
    return hold(data.persist(StorageLevel.MEMORY_AND_DISK()));
  }

  /** Holds a result its producer already persisted, to release it with the run's others. */
  public Dataset<Row> hold(Dataset<Row> persisted) {
    synchronized (held) {
      held.push(persisted);
    }
    return persisted;
  }

  /** Unpersists every held result, the latest held first. */
  @Override
  public void close() {
    synchronized (held) {
      while (!held.isEmpty()) {
        held.pop().unpersist();
      }
    }
  }
}
