package org.rfmtiers;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerUnpersistRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

class RunCacheTest {
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void releasesEveryResultTheLatestFirst() throws TimeoutException {
    Dataset<Row> source = spark.range(100).toDF("n");
    Dataset<Row> derived;
    Dataset<Row> heldSource;
    Dataset<Row> persistedElsewhere = spark.range(10).toDF("m").persist(StorageLevel.MEMORY_ONLY());
    List<Integer> released = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onUnpersistRDD(SparkListenerUnpersistRDD event) {
            released.add(event.rddId());
          }
        };
    int sourceRdd;
    int derivedRdd;
    int elsewhereRdd;
    spark.sparkContext().addSparkListener(listener);
    try {
      try (RunCache cache = new RunCache()) {
        heldSource = cache.persist(source);
        assertEquals(100, heldSource.count());
        derived = cache.persist(heldSource.filter(col("n").lt(30)));
        assertEquals(30, derived.count());
        assertEquals(10, cache.hold(persistedElsewhere).count());
        sourceRdd = cachedRdd(heldSource);
        derivedRdd = cachedRdd(derived);
        elsewhereRdd = cachedRdd(persistedElsewhere);
        assertTrue(released.isEmpty(), "nothing released while the run holds it: " + released);
      }
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    assertEquals(List.of(elsewhereRdd, derivedRdd, sourceRdd), released);
    for (Dataset<Row> d : List.of(heldSource, derived, persistedElsewhere)) {
      assertEquals(StorageLevel.NONE(), d.storageLevel());
    }
  }

  private int cachedRdd(Dataset<Row> data) {
    return spark
        .sharedState()
        .cacheManager()
        .lookupCachedData((org.apache.spark.sql.classic.Dataset<?>) data)
        .get()
        .cachedRepresentation()
        .cacheBuilder()
        .cachedColumnBuffers()
        .id();
  }
}
