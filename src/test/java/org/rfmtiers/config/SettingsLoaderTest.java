package org.rfmtiers.config;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsMatchTheDocumentedContract() {
    JobSettings s = SettingsLoader.load(null, Map.of());
    assertEquals("csv", s.input().format());
    assertTrue(s.input().header());
    assertEquals("yyyy-MM-dd HH:mm:ss", s.input().timestampFormat());
    assertEquals("UTC", s.input().timeZone());
    assertEquals("customer_id", s.input().columns().customerId());
    assertEquals(Optional.of("order_id"), s.input().columns().orderId());
    assertEquals("order_ts", s.input().columns().orderTs());
    assertEquals(Optional.of("amount"), s.input().columns().amount());
    assertEquals(Optional.empty(), s.input().columns().quantity());
    assertEquals(Optional.empty(), s.input().cancellationPrefix());
    assertEquals(ReturnsPolicy.EXCLUDE, s.returnsPolicy());
    assertTrue(s.tiers().fixedK().isEmpty(), "tiers.k = auto");
  }

  @Test
  void displayLanguageWinsOverSegmentsLanguageWhenSet() {
    SegmentSettings.Language en = SegmentSettings.Language.EN;
    SegmentSettings.Language zh = SegmentSettings.Language.ZH;
    assertEquals(en, SettingsLoader.load(null, Map.of()).segments().language());
    assertEquals(
        zh, SettingsLoader.load(null, Map.of("segments.language", "zh")).segments().language());
    assertEquals(
        zh, SettingsLoader.load(null, Map.of("display.language", "zh")).segments().language());
    assertEquals(
        en,
        SettingsLoader.load(null, Map.of("display.language", "en", "segments.language", "zh"))
            .segments()
            .language());
    SettingsException bad =
        assertThrows(
            SettingsException.class,
            () -> SettingsLoader.load(null, Map.of("display.language", "fr")));
    assertEquals("display.language = \"fr\" is not one of [en, zh]", bad.getMessage());
  }

  @Test
  void setOverridesTakeTypedValues() {
    JobSettings s =
        SettingsLoader.load(
            null,
            Map.of(
                "tiers.k", "4",
                "returns.policy", "net",
                "input.timestamp-format", "yyyy-MM-dd HH:mm",
                "input.cancellation.order-id-prefix", "C",
                "scores.thresholds.frequency", "[1, 2, 4, 8]",
                "input.columns.order-id", "null"));
    assertEquals(4, s.tiers().fixedK().getAsInt());
    assertEquals(ReturnsPolicy.NET, s.returnsPolicy());
    assertEquals("yyyy-MM-dd HH:mm", s.input().timestampFormat());
    assertEquals(Optional.of("C"), s.input().cancellationPrefix());
    assertEquals(Optional.of(List.of(1.0, 2.0, 4.0, 8.0)), s.scores().frequencyCuts());
    assertEquals(Optional.empty(), s.input().columns().orderId());
  }

  @Test
  void unknownKeyInFileIsAnErrorNamingTheKey() throws Exception {
    File conf = dir.resolve("job.conf").toFile();
    Files.writeString(conf.toPath(), "tiers { k = 3, kmax = 9 }\n");
    SettingsException e =
        assertThrows(SettingsException.class, () -> SettingsLoader.load(conf, Map.of()));
    assertTrue(e.getMessage().contains("tiers.kmax"), e.getMessage());
    assertTrue(e.getMessage().contains("tiers.k-max"), "lists the valid keys: " + e.getMessage());
  }

  @Test
  void unknownSetKeyIsAnError() {
    SettingsException e =
        assertThrows(
            SettingsException.class,
            () -> SettingsLoader.load(null, Map.of("input.colums.amount", "x")));
    assertTrue(e.getMessage().contains("input.colums.amount"), e.getMessage());
  }

  @Test
  void sparkConfIsFreeForm() {
    JobSettings s =
        SettingsLoader.load(null, Map.of("spark.conf.\"spark.sql.shuffle.partitions\"", "64"));
    assertEquals("64", s.sparkConf().get("spark.sql.shuffle.partitions"));
  }

  @Test
  void badValuesNameKeyAndAllowedValues() {
    SettingsException policy =
        assertThrows(
            SettingsException.class,
            () -> SettingsLoader.load(null, Map.of("returns.policy", "gross")));
    assertTrue(
        policy.getMessage().contains("returns.policy") && policy.getMessage().contains("net"),
        policy.getMessage());
    SettingsException format =
        assertThrows(
            SettingsException.class,
            () -> SettingsLoader.load(null, Map.of("input.format", "xlsx")));
    assertTrue(format.getMessage().contains("input.format"), format.getMessage());
    SettingsException k =
        assertThrows(
            SettingsException.class, () -> SettingsLoader.load(null, Map.of("tiers.k", "many")));
    assertTrue(k.getMessage().contains("tiers.k"), k.getMessage());
  }

  @Test
  void amountMayComeFromQuantityTimesUnitPrice() {
    JobSettings s =
        SettingsLoader.load(
            null,
            Map.of(
                "input.columns.amount",
                "null",
                "input.columns.quantity",
                "Quantity",
                "input.columns.unit-price",
                "UnitPrice"));
    assertEquals(Optional.of("Quantity"), s.input().columns().quantity());
    // mapping quantity and unit price is enough: the default amount column is not looked for
    JobSettings parts =
        SettingsLoader.load(
            null,
            Map.of("input.columns.quantity", "Quantity", "input.columns.unit-price", "Price"));
    assertEquals(Optional.empty(), parts.input().columns().amount());
    // an explicit amount beside them: which one counts would be a guess
    SettingsException both =
        assertThrows(
            SettingsException.class,
            () ->
                SettingsLoader.load(
                    null,
                    Map.of(
                        "input.columns.amount",
                        "Revenue",
                        "input.columns.quantity",
                        "Quantity",
                        "input.columns.unit-price",
                        "Price")));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
    SettingsException e =
        assertThrows(
            SettingsException.class,
            () -> SettingsLoader.load(null, Map.of("input.columns.amount", "null")));
    assertTrue(e.getMessage().contains("input.columns.quantity"), e.getMessage());
  }

  @Test
  void tierNamesSpreadFromBestToWorst() {
    TierSettings tiers = SettingsLoader.load(null, Map.of()).tiers();
    assertEquals("Champions", tiers.nameOf(1, 3));
    assertEquals("Promising", tiers.nameOf(2, 3));
    assertEquals("Dormant", tiers.nameOf(3, 3));
    assertEquals("Tier 9", tiers.nameOf(9, 9));
  }

  @Test
  void secretsAreMaskedInTheRecordedSettings() {
    JobSettings s =
        SettingsLoader.load(
            null,
            Map.of(
                "spark.conf.\"spark.hadoop.fs.s3a.secret.key\"", "hunter2",
                "spark.conf.\"spark.sql.shuffle.partitions\"", "8"));
    assertFalse(s.redacted().contains("hunter2"), s.redacted());
    assertTrue(s.redacted().contains("spark.sql.shuffle.partitions=8"), s.redacted());
  }
}
