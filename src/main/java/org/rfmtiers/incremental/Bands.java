package org.rfmtiers.incremental;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.rfmtiers.Columns.ORDER_MONTH;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Column;

/**
 * The order dates whose rows change when the as-of date moves from {@code from} to {@code to}:
 * those entering the snapshot, [from, to), and those crossing a window's start, [from - L, to - L)
 * for each window length L. Empty when the date does not move.
 */
record Bands(LocalDate from, LocalDate to, List<Integer> windowLengths) {
  /** Rows entering the snapshot: [from, to). */
  Column entering(Column date) {
    return within(date, entry());
  }

  /** Rows crossing a window's start: [from - L, to - L) for each window length L. */
  Column windowStarts(Column date) {
    return within(date, starts());
  }

  /** Rows inside the longest window before {@code to}: what the windowed columns read. */
  Column windows(Column date) {
    LocalDate start = to.minusDays(Collections.max(windowLengths));
    return col(ORDER_MONTH)
        .geq(lit(Date.valueOf(start.withDayOfMonth(1))))
        .and(date.geq(lit(Date.valueOf(start))))
        .and(date.lt(lit(Date.valueOf(to))));
  }

  /** The state_lines partitions (months) the bands touch, so a scan reads only those. */
  Column months() {
    List<LocalDate[]> all = new ArrayList<>(starts());
    all.addAll(entry());
    return monthsOf(all);
  }

  private static Column within(Column date, List<LocalDate[]> bands) {
    Column any = lit(false);
    for (LocalDate[] band : bands) {
      any = any.or(date.geq(lit(Date.valueOf(band[0]))).and(date.lt(lit(Date.valueOf(band[1])))));
    }
    return monthsOf(bands).and(any);
  }

  private static Column monthsOf(List<LocalDate[]> bands) {
    TreeSet<Date> months = new TreeSet<>();
    for (LocalDate[] band : bands) {
      for (LocalDate m = band[0].withDayOfMonth(1); m.isBefore(band[1]); m = m.plusMonths(1)) {
        months.add(Date.valueOf(m));
      }
    }
    return months.isEmpty() ? lit(false) : col(ORDER_MONTH).isin(months.toArray());
  }

  /** [from, to), or nothing when the date does not move. */
  private List<LocalDate[]> entry() {
    List<LocalDate[]> entry = new ArrayList<>();
    if (to.isAfter(from)) {
      entry.add(new LocalDate[] {from, to});
    }
    return entry;
  }

  private List<LocalDate[]> starts() {
    List<LocalDate[]> bands = new ArrayList<>();
    if (!to.isAfter(from)) {
      return bands;
    }
    for (int length : windowLengths) {
      bands.add(new LocalDate[] {from.minusDays(length), to.minusDays(length)});
    }
    return bands;
  }
}
