package org.rfmtiers.report;

import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rfmtiers.GeneratedWarehouse;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.job.ReportJob;
import org.rfmtiers.output.Tables;
import org.rfmtiers.text.Texts;

/**
 * Every figure the report shows is its table's, read back here independently: tier sizes, revenue
 * and medians (tier_summary), segment sizes and their change (segment_summary of both snapshots),
 * the churn watch and summary, the R x F grid (customer_rfm), the trends (tier_summary of every
 * snapshot) and the cohort cells; and the page prints those same numbers.
 */
@Tag("integration")
@Tag("long")
class ReportFiguresTest {
  private static final LocalDate SNAPSHOT = LocalDate.parse(GeneratedWarehouse.SNAPSHOTS.get(1));
  private static final LocalDate PREVIOUS = LocalDate.parse(GeneratedWarehouse.SNAPSHOTS.get(0));

  static GeneratedWarehouse generated;
  static ReportFigures figures;
  static String html;

  @BeforeAll
  static void figures() throws Exception {
    generated = GeneratedWarehouse.get();
    figures =
        new ReportJob(
                SparkTestSession.get(),
                SettingsLoader.load(null, Map.of("output.warehouse", generated.warehouse)))
            .figures(Optional.of(SNAPSHOT));
    html =
        Files.readString(
            Path.of(generated.warehouse, "report", SNAPSHOT.toString(), "index.html"),
            StandardCharsets.UTF_8);
  }

  private static Dataset<Row> table(String name) {
    return SparkTestSession.get().read().format("delta").load(generated.warehouse + "/" + name);
  }

  private static Dataset<Row> snapshot(String name, LocalDate date) {
    return table(name).filter(col(SNAPSHOT_DATE).equalTo(lit(Date.valueOf(date))));
  }

  private static String money(BigDecimal value) {
    return String.format(Locale.ROOT, "%,.2f", value);
  }

  @Test
  void tierFiguresAreTierSummarys() {
    List<Row> rows = snapshot(Tables.TIER_SUMMARY, SNAPSHOT).orderBy(TIER).collectAsList();
    assertEquals(rows.size(), figures.tiers().size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      ReportFigures.TierFigures tier = figures.tiers().get(i);
      assertEquals(row.<Integer>getAs(TIER), tier.tier());
      assertEquals(row.<Long>getAs(CUSTOMERS), tier.customers());
      assertEquals(row.<BigDecimal>getAs(REVENUE), tier.revenue());
      BigDecimal median = row.getAs(MEDIAN_MONETARY);
      assertEquals(median.doubleValue(), tier.monetary().median(), 0.0, "tier " + tier.tier());
      assertEquals(row.<Double>getAs(MEDIAN_RECENCY_DAYS), tier.recencyDays().median(), 0.0);
      assertEquals(row.<Double>getAs(MEDIAN_FREQUENCY), tier.frequency().median(), 0.0);
      // the tier table prints tier_summary's median monetary and revenue
      assertTrue(html.contains("<td class=\"num\">" + money(median) + "</td>"), money(median));
      assertTrue(html.contains("<td class=\"num\">" + money(tier.revenue()) + "</td>"));
    }
  }

  @Test
  void changesSinceThePreviousSnapshotAreBothSummaries() {
    AnalystFigures a = figures.analyst();
    assertEquals(Optional.of(PREVIOUS), a.previous());
    Map<Integer, Long> before = new HashMap<>();
    snapshot(Tables.TIER_SUMMARY, PREVIOUS)
        .collectAsList()
        .forEach(r -> before.put(r.getAs(TIER), r.getAs(CUSTOMERS)));
    assertEquals(before.keySet(), a.previousTiers().keySet());
    before.forEach(
        (tier, customers) -> assertEquals(customers, a.previousTiers().get(tier).customers()));
    for (Row r :
        snapshot(Tables.SEGMENT_SUMMARY, PREVIOUS)
            .filter(col(SCHEME).equalTo(RFM_SEGMENT))
            .collectAsList()) {
      assertEquals(
          r.<Long>getAs(CUSTOMERS),
          a.previousRfmSegments().get(r.<String>getAs(SEGMENT)).customers());
    }
    for (ReportFigures.SegmentFigures s : figures.segmentsByScheme().get(RFM_SEGMENT)) {
      AnalystFigures.Totals b = a.previousRfmSegments().get(s.code());
      if (b != null) {
        String change = String.format(Locale.ROOT, "%+,d", s.customers() - b.customers());
        assertTrue(
            html.contains(
                "<td class=\"num\">"
                    + String.format(Locale.ROOT, "%,d", s.customers())
                    + "</td><td class=\"num\">"
                    + change
                    + "</td>"),
            s.code() + " " + change);
      }
    }
  }

  @Test
  void churnFiguresAreTheChurnTables() {
    AnalystFigures a = figures.analyst();
    List<Row> summary = snapshot(Tables.CHURN_SUMMARY, SNAPSHOT).collectAsList();
    assertEquals(summary.size(), a.churn().size());
    for (Row r : summary) {
      AnalystFigures.ChurnLine line =
          a.churn().stream()
              .filter(
                  l -> l.scheme().equals(r.getAs(SCHEME)) && l.segment().equals(r.getAs(SEGMENT)))
              .findFirst()
              .orElseThrow();
      assertEquals(r.<Long>getAs(CUSTOMERS), line.customers());
      assertEquals(r.<Long>getAs(CHURNED), line.churned());
      assertEquals(r.<Double>getAs(CHURN_RATE), line.churnRate());
      assertEquals(r.<BigDecimal>getAs(REVENUE_AT_RISK), line.revenueAtRisk());
      assertTrue(html.contains("<td class=\"num\">" + money(line.revenueAtRisk()) + "</td>"));
    }
    List<Row> watch =
        snapshot(Tables.CHURN_WATCH, SNAPSHOT)
            .orderBy(WATCH_RANK)
            .limit(a.watch().size())
            .collectAsList();
    assertFalse(watch.isEmpty(), "the generated log has customers at risk");
    for (int i = 0; i < watch.size(); i++) {
      assertEquals(watch.get(i).<String>getAs(CUSTOMER_ID), a.watch().get(i).customerId());
      assertEquals(watch.get(i).<BigDecimal>getAs(VALUE_AT_RISK), a.watch().get(i).valueAtRisk());
    }
  }

  @Test
  void gridTrendsAndCohortsAreTheirTables() {
    AnalystFigures a = figures.analyst();
    Dataset<Row> customers = snapshot(Tables.CUSTOMER_RFM, SNAPSHOT);
    Map<String, Long> counts = new HashMap<>();
    customers
        .groupBy(R_SCORE, F_SCORE)
        .count()
        .collectAsList()
        .forEach(r -> counts.put(r.getInt(0) + "/" + r.getInt(1), r.getLong(2)));
    long total = 0;
    for (AnalystFigures.RfCell cell : a.rfGrid()) {
      assertEquals(
          counts.get(cell.r() + "/" + cell.f()),
          cell.customers(),
          "R " + cell.r() + " F " + cell.f());
      total += cell.customers();
    }
    assertEquals(counts.size(), a.rfGrid().size());
    assertEquals(customers.count(), total);
    assertEquals(table(Tables.TIER_SUMMARY).count(), a.trends().size(), "both snapshots' tiers");
    List<Row> cohorts = snapshot(Tables.COHORT_RETENTION, SNAPSHOT).collectAsList();
    assertEquals(cohorts.size(), a.cohorts().size());
    long firstMonths = 0;
    for (Row r : cohorts) {
      AnalystFigures.CohortCell cell =
          a.cohorts().stream()
              .filter(
                  c ->
                      c.cohort().equals(r.<Date>getAs(COHORT_MONTH).toLocalDate())
                          && c.months() == r.<Integer>getAs(MONTHS_SINCE_FIRST))
              .findFirst()
              .orElseThrow();
      assertEquals(r.<Double>getAs(RETENTION_RATE), cell.rate());
      assertEquals(r.<Double>getAs(EXPECTED_ACTIVE_SHARE), cell.expected());
      if (cell.months() == 0) {
        firstMonths += cell.cohortCustomers();
      }
    }
    assertEquals(customers.count(), firstMonths, "every customer is in one cohort");
  }

  @Test
  void glossaryAndChurnReasonsInBothLanguages() {
    String zh =
        ReportPage.render(figures, Texts.of(org.rfmtiers.config.SegmentSettings.Language.ZH));
    assertTrue(zh.contains("<dt>知己型</dt>") && zh.contains("<dt>流失预警</dt>"));
    assertTrue(html.contains("<dt>True friends</dt>") && html.contains("<dt>Churn watch</dt>"));
    for (String key : ReportPage.GLOSSARY) {
      assertTrue(
          html.contains(
              ">"
                  + Texts.of(org.rfmtiers.config.SegmentSettings.Language.EN)
                      .get("glossary." + key + ".term")
                  + "<"),
          key);
    }
    String reason = figures.analyst().watch().get(0).reasons().get(0);
    assertTrue(
        zh.contains(
            Texts.of(org.rfmtiers.config.SegmentSettings.Language.ZH)
                .label("churn-reason", reason)),
        reason);
  }
}
