package org.rfmtiers.incremental;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rfmtiers.Columns.AMOUNT;
import static org.rfmtiers.Columns.CUSTOMER_ID;
import static org.rfmtiers.Columns.ORDER_DATE;
import static org.rfmtiers.incremental.GeneratedNights.D1;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.RunCache;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.features.CustomerSums;
import org.rfmtiers.features.RfmFeatures;
import org.rfmtiers.ingest.TransactionSource;
import org.rfmtiers.ingest.TransactionSource.InputFile;
import org.rfmtiers.ingest.ValidatedLines;
import org.rfmtiers.output.DeltaTables;

/**
 * The incremental algebra on rows, without the rest of the job: the state of the history A folded
 * with the lines of B equals the sums of A ∪ B, night after night, while the as-of date moves (by
 * one day, by weeks so that lines cross the windows' starts, and with no new file at all). Sums,
 * valid amount and lines after the snapshot are compared with a full aggregation of every line (the
 * oracle).
 */
class IncrementalAlgebraTest {
  @TempDir static Path dir;

  @Test
  void stateFoldedWithNewLinesEqualsTheSumsOfAllLines() throws Exception {
    SparkSession spark = SparkTestSession.get();
    GeneratedNights nights = new GeneratedNights(spark, 120, 3_000);
    Path log = Files.createDirectories(dir.resolve("log"));
    GeneratedNights.write(log.resolve("history.csv"), nights.history);
    GeneratedNights.write(log.resolve("day-1.csv"), nights.day1);
    GeneratedNights.write(log.resolve("day-2.csv"), nights.day2);
    JobSettings settings =
        SettingsLoader.load(
            null,
            Map.of(
                "input.columns.quantity",
                "quantity",
                "input.columns.unit-price",
                "unit_price",
                "input.cancellation.order-id-prefix",
                "C",
                "returns.policy",
                "net",
                "output.warehouse",
                dir.resolve("warehouse").toString()));
    spark.conf().set("spark.sql.session.timeZone", settings.input().timeZone());
    IncrementalState state =
        new IncrementalState(spark, new DeltaTables(spark, settings.warehouse()), 2);
    TransactionSource source = new TransactionSource(spark, settings.input());
    List<InputFile> listing = source.list(log.toString());
    InputFile day1 = listing.get(0);
    InputFile day2 = listing.get(1);
    InputFile history = listing.get(2);
    assertTrue(history.path().endsWith("history.csv"), listing.toString());

    try (RunCache cache = new RunCache()) {
      IncrementalSums incremental = new IncrementalSums(spark, settings, state, cache);
      ValidatedLines a = lines(source, settings, history);
      incremental
          .rebuild(a, expected(settings, List.of(a), D1), List.of(history), D1, "night-0")
          .run();

      // A + B, the as-of date one day on
      ValidatedLines b = lines(source, settings, day1);
      LocalDate night1 = D1.plusDays(1);
      IncrementalSums.Night folded =
          incremental.fold(state.last().get(), List.of(day1), b, night1, "night-1");
      assertEqual(expected(settings, List.of(a, b), night1), folded.sums());
      folded.commit().run();

      // A + B + C, the as-of date 45 days on: lines enter the trend and current-value windows'
      // starts
      ValidatedLines c = lines(source, settings, day2);
      LocalDate night2 = D1.plusDays(46);
      folded = incremental.fold(state.last().get(), List.of(day2), c, night2, "night-2");
      assertEqual(expected(settings, List.of(a, b, c), night2), folded.sums());
      folded.commit().run();

      // no new file: the state alone, the as-of date another 100 days on
      LocalDate night3 = night2.plusDays(100);
      folded =
          incremental.fold(
              state.last().get(), List.of(), ValidatedLines.none(spark), night3, "night-3");
      assertEqual(expected(settings, List.of(a, b, c), night3), folded.sums());
    }
  }

  private static ValidatedLines lines(
      TransactionSource source, JobSettings settings, InputFile file) {
    Dataset<Row> packed =
        ValidatedLines.pack(
                settings.input(),
                settings.validation(),
                source.readFiles(List.of(file.path())),
                LocalDate.of(2026, 1, 1),
                true)
            .persist(StorageLevel.MEMORY_AND_DISK());
    return ValidatedLines.of(packed);
  }

  /**
   * The oracle: every valid line summed as a full run sums them; the valid amount (net policy:
   * signed amounts), its anonymous part and the lines on or after the snapshot counted on the
   * driver from the lines themselves.
   */
  private static CustomerSums expected(
      JobSettings settings, List<ValidatedLines> parts, LocalDate snapshot) {
    Dataset<Row> all = parts.get(0).validRows();
    for (ValidatedLines part : parts.subList(1, parts.size())) {
      all = all.union(part.validRows());
    }
    BigDecimal validAmount = BigDecimal.ZERO.setScale(2);
    BigDecimal anonymousAmount = BigDecimal.ZERO.setScale(2);
    long after = 0;
    for (Row r : all.select(ORDER_DATE, AMOUNT, CUSTOMER_ID).collectAsList()) {
      if (r.getDate(0).toLocalDate().isBefore(snapshot)) {
        validAmount = validAmount.add(r.getDecimal(1));
        if (r.isNullAt(2)) { // a line without a customer id (input.anonymous = separate)
          anonymousAmount = anonymousAmount.add(r.getDecimal(1));
        }
      } else {
        after++;
      }
    }
    Dataset<Row> before = all.filter(col(ORDER_DATE).lt(lit(Date.valueOf(snapshot))));
    return new CustomerSums(
        RfmFeatures.of(settings, snapshot).aggregate(before), validAmount, anonymousAmount, after);
  }

  private static void assertEqual(CustomerSums expected, CustomerSums actual) {
    assertEquals(expected.validAmount(), actual.validAmount(), "valid amount");
    assertEquals(expected.anonymousAmount(), actual.anonymousAmount(), "anonymous amount");
    assertEquals(expected.rowsAfterAsOf(), actual.rowsAfterAsOf(), "lines after the snapshot");
    List<Column> columns = new ArrayList<>();
    for (StructField field : expected.aggregates().schema().fields()) {
      columns.add(col(field.name()).cast(field.dataType()));
    }
    Dataset<Row> want = expected.aggregates();
    Dataset<Row> got = actual.aggregates().select(columns.toArray(Column[]::new));
    long customers = want.count();
    assertTrue(customers > 60, "customers: " + customers);
    assertEquals(customers, got.count(), "customers");
    assertEquals(
        List.of(),
        want.exceptAll(got).limit(3).collectAsList(),
        "sums of all lines, not in the fold");
    assertEquals(
        List.of(),
        got.exceptAll(want).limit(3).collectAsList(),
        "sums of the fold, not of all lines");
  }
}
