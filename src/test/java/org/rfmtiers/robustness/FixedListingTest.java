package org.rfmtiers.robustness;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.ingest.RawTransactions;
import org.rfmtiers.ingest.TransactionSource;

class FixedListingTest {
  @TempDir Path dir;

  @Test
  void aFileArrivingMidRunIsNotRead() throws Exception {
    Files.writeString(
        dir.resolve("day1.csv"),
        "customer_id,order_id,order_ts,amount\nA,O1,2024-01-01 10:00:00,1.00\n");
    RawTransactions raw =
        new TransactionSource(SparkTestSession.get(), SettingsLoader.load(null, Map.of()).input())
            .read(dir.toString());
    assertEquals(1, raw.rows().count());
    Files.writeString(
        dir.resolve("day2.csv"),
        "customer_id,order_id,order_ts,amount\nB,O2,2024-01-02 10:00:00,2.00\n");
    assertEquals(1, raw.rows().count(), "the listing taken at the start is the one read");
    assertEquals(1, raw.files().size());
  }
}
