package org.rfmtiers.incremental;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.TestRows;
import org.rfmtiers.generate.TransactionGenerator;

/**
 * A generated log split into a history file and two nightly files, where the nightly files also
 * carry late lines (dated weeks or years back, some belonging to orders already loaded, some of
 * them returns) and the history file already holds lines dated after its snapshot {@link #D1}.
 */
final class GeneratedNights {
  static final LocalDate D1 = LocalDate.of(2025, 6, 1);
  static final String HEADER = "customer_id,order_id,order_ts,quantity,unit_price,amount";

  final List<String> history = new ArrayList<>();
  final List<String> day1 = new ArrayList<>();
  final List<String> day2 = new ArrayList<>();

  GeneratedNights(SparkSession spark, int customers, int transactions) {
    List<Row> rows =
        new TransactionGenerator(customers, transactions, 5).generate(spark).collectAsList();
    Set<String> historyOrders = new HashSet<>();
    List<String[]> late = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String line = TestRows.csvLine(r);
      LocalDate date =
          r.getString(2).startsWith("20")
              ? LocalDate.parse(r.getString(2).substring(0, 10))
              : D1.minusYears(1);
      // late: every 37th line, and every third return, dated before D1
      boolean lateReturn = r.getString(1).startsWith("C") && i % 3 == 0;
      if (date.isBefore(D1) && (i % 37 == 5 || lateReturn)) {
        late.add(new String[] {line, r.getString(1)});
      } else if (date.isBefore(D1)
          || (date.equals(D1) && i % 2 == 0)
          || (date.isAfter(D1.plusDays(1)) && i % 3 == 0)) {
        history.add(line);
        historyOrders.add(r.getString(1));
      } else if (date.equals(D1)) {
        day1.add(line);
      } else if (date.equals(D1.plusDays(1))) {
        day2.add(line);
      }
    }
    int lateLinesOfLoadedOrders = 0;
    int lateReturns = 0;
    for (int i = 0; i < late.size(); i++) {
      (i % 2 == 0 ? day1 : day2).add(late.get(i)[0]);
      lateLinesOfLoadedOrders += historyOrders.contains(late.get(i)[1]) ? 1 : 0;
      lateReturns += late.get(i)[1].startsWith("C") ? 1 : 0;
    }
    // the split exercises what it claims to
    assertTrue(lateLinesOfLoadedOrders > 0, "a late line of an order already loaded");
    assertTrue(lateReturns > 0, "a late return");
    assertTrue(late.size() > transactions / 120, "late lines: " + late.size());
  }

  /** Writes {@code lines} under the CSV header. */
  static void write(Path file, List<String> lines) throws IOException {
    List<String> all = new ArrayList<>();
    all.add(HEADER);
    all.addAll(lines);
    Files.write(file, all);
  }
}
