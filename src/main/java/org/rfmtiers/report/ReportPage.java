package org.rfmtiers.report;

import static org.rfmtiers.report.ChartOptions.percent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rfmtiers.config.SegmentSettings;
import org.rfmtiers.report.ReportFigures.SegmentFigures;
import org.rfmtiers.report.ReportFigures.TierFigures;
import org.rfmtiers.text.Texts;

/**
 * Renders {@link ReportFigures} as one self-contained HTML page: the ECharts library is inlined
 * from its WebJar, so the page opens offline and fetches nothing. Table text is HTML-escaped and
 * chart data is JSON with {@code <}, {@code >} and {@code &} escaped, so ids or names from the data
 * cannot inject markup or script. A script error or a chart that drew nothing is shown at the top
 * of the page.
 */
public final class ReportPage {
  static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  private static final List<String> PYRAMID = List.of("VIP", "MAJOR", "ORDINARY", "SMALL");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReportFigures figures;
  private final Texts t;
  private final Map<String, Map<String, Object>> charts = new LinkedHashMap<>();
  private final StringBuilder html = new StringBuilder();

  private ReportPage(ReportFigures figures, Texts texts) {
    this.figures = figures;
    this.t = texts;
  }

  /** The page in the display language of {@code texts}. */
  public static String render(ReportFigures figures, Texts texts) {
    return new ReportPage(figures, texts).page();
  }

  private String page() {
    ReportFigures.RunFigures run = figures.run();
    html.append("<!DOCTYPE html>\n<html lang=\"")
        .append(t.htmlLang())
        .append("\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(escape(t.format("report.title", t.date(figures.snapshot()))))
        .append("</title>\n<style>")
        .append(CSS)
        .append("</style>\n<script>")
        .append(ERROR_TRAP)
        .append("</script>\n</head><body>\n");
    html.append("<header><h1>")
        .append(escape(t.format("report.heading", t.date(figures.snapshot()))))
        .append("</h1><p>")
        .append(escape(t.format("report.run", run.runId(), run.startedAt(), run.finishedAt())))
        .append(" · ")
        .append(escape(t.get("report.input")))
        .append(" <code>")
        .append(escape(run.inputUri()))
        .append("</code></p>")
        .append("<div id=\"report-errors\" hidden></div></header>\n<main>\n");
    keyFigures(run);
    thisWeek();
    segments();
    trends();
    tiers();
    churn();
    cohorts();
    clv();
    migration();
    topCustomers();
    diagnostics(run);
    glossary();
    html.append("</main>\n<footer>").append(escape(t.get("report.footer"))).append("</footer>\n");
    html.append("<script>").append(echarts()).append("</script>\n");
    html.append("<script>var FAILED = ")
        .append(scriptJson(t.get("report.charts-failed")))
        .append(";\nvar CHARTS = ")
        .append(scriptJson(charts))
        .append(";\n")
        .append(DRAW)
        .append("</script>\n");
    html.append("</body></html>\n");
    return html.toString();
  }

  /** What changed for the business: customers, revenue, CLV, churn and the value at risk. */
  private void keyFigures(ReportFigures.RunFigures run) {
    AnalystFigures a = figures.analyst();
    html.append("<section class=\"kpis\">");
    long previousCustomers =
        a.previousTiers().values().stream().mapToLong(AnalystFigures.Totals::customers).sum();
    BigDecimal previousRevenue =
        a.previousTiers().values().stream()
            .map(AnalystFigures.Totals::revenue)
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    kpi(
        t.get("kpi.customers"),
        String.format(Locale.ROOT, "%,d", run.customers()),
        a.previous().map(d -> change(run.customers() - previousCustomers)));
    kpi(
        t.get("kpi.revenue"),
        money(run.monetaryTotal()),
        a.previous()
            .filter(d -> run.monetaryTotal() != null)
            .map(d -> change(run.monetaryTotal().subtract(previousRevenue))));
    figures
        .clv()
        .ifPresent(
            c ->
                kpi(
                    t.format("kpi.clv", horizon(c.horizon())),
                    String.format(Locale.ROOT, "%,.0f", c.totalValue())));
    a.churn().stream()
        .filter(line -> line.scheme().equals("all"))
        .findFirst()
        .ifPresent(
            all -> {
              if (all.churnRate() != null) {
                kpi(t.format("kpi.churn-rate", t.date(a.previous().get())), pct(all.churnRate()));
              }
              kpi(
                  t.format("kpi.at-risk", String.format(Locale.ROOT, "%,d", all.watched())),
                  money(all.revenueAtRisk()));
            });
    kpi(t.get("kpi.tiers"), String.valueOf(run.k()));
    html.append("</section>\n");
  }

  /** A change since the previous snapshot: "+12", "-3.50". */
  private static String change(long delta) {
    return String.format(Locale.ROOT, "%+,d", delta);
  }

  private static String change(BigDecimal delta) {
    return String.format(Locale.ROOT, "%+,.2f", delta);
  }

  private void kpi(String label, String value) {
    kpi(label, value, java.util.Optional.empty());
  }

  private void kpi(String label, String value, java.util.Optional<String> change) {
    html.append("<div class=\"kpi\"><div class=\"kpi-value\">").append(escape(value));
    change.ifPresent(
        c ->
            html.append(" <span class=\"delta\">")
                .append(escape(t.format("kpi.change", c)))
                .append("</span>"));
    html.append("</div><div class=\"kpi-label\">").append(escape(label)).append("</div></div>");
  }

  /**
   * The first screen: each tier and RFM segment with its size, revenue, change and action, and the
   * churn watch's top customers by value at risk.
   */
  private void thisWeek() {
    AnalystFigures a = figures.analyst();
    section(
        t.get("week.title"),
        a.previous().map(d -> t.format("week.note", t.date(d))).orElse(t.get("week.note-first")));
    html.append("</div>");
    List<List<String>> tierRows = new ArrayList<>();
    for (TierFigures tier : figures.tiers()) {
      java.util.Optional<AnalystFigures.Totals> before =
          a.previous().map(d -> a.previousTiers().get(tier.tier()));
      tierRows.add(
          List.of(
              String.valueOf(tier.tier()),
              tier.name(),
              String.format(Locale.ROOT, "%,d", tier.customers()),
              delta(before, b -> change(tier.customers() - b.customers())),
              money(tier.revenue()),
              delta(before, b -> change(tier.revenue().subtract(b.revenue()))),
              pct(tier.revenueShare())));
    }
    html.append("<h3>").append(escape(t.get("week.tiers"))).append("</h3>");
    table(
        List.of(
            t.get("column.tier"),
            t.get("column.name"),
            t.get("column.customers"),
            t.get("column.change"),
            t.get("column.revenue"),
            t.get("column.change"),
            t.get("column.revenue-share")),
        tierRows);
    List<SegmentFigures> rfm = figures.segmentsByScheme().getOrDefault("rfm_segment", List.of());
    List<List<String>> segmentRows = new ArrayList<>();
    for (SegmentFigures segment : rfm) {
      java.util.Optional<AnalystFigures.Totals> before =
          a.previous().map(d -> a.previousRfmSegments().get(segment.code()));
      segmentRows.add(
          List.of(
              segment.name(),
              String.format(Locale.ROOT, "%,d", segment.customers()),
              delta(before, b -> change(segment.customers() - b.customers())),
              money(segment.revenue()),
              delta(before, b -> change(segment.revenue().subtract(b.revenue()))),
              a.rfmActions().getOrDefault(segment.code(), "")));
    }
    html.append("<h3>").append(escape(t.get("week.segments"))).append("</h3>");
    table(
        List.of(
            t.get("column.rfm-segment"),
            t.get("column.customers"),
            t.get("column.change"),
            t.get("column.revenue"),
            t.get("column.change"),
            t.get("column.action")),
        segmentRows);
    html.append("<h3>").append(escape(t.get("week.watch"))).append("</h3>");
    if (a.watch().isEmpty()) {
      html.append("<p class=\"note\">").append(escape(t.get("week.watch-empty"))).append("</p>");
    } else {
      List<List<String>> watchRows = new ArrayList<>();
      for (AnalystFigures.WatchRow w : a.watch()) {
        watchRows.add(
            List.of(
                String.valueOf(w.rank()),
                w.customerId(),
                nullToEmpty(w.tierName()),
                nullToEmpty(w.segmentName()),
                String.join(
                    ", ", w.reasons().stream().map(r -> t.label("churn-reason", r)).toList()),
                w.pAlive() == null ? "" : String.format(Locale.ROOT, "%.2f", w.pAlive()),
                w.daysOverdue() == null ? "" : String.valueOf(w.daysOverdue()),
                money(w.valueAtRisk()),
                nullToEmpty(w.action())));
      }
      table(
          List.of(
              t.get("column.rank"),
              t.get("column.customer"),
              t.get("column.tier-name"),
              t.get("column.rfm-segment"),
              t.get("column.reasons"),
              t.get("column.p-alive"),
              t.get("column.days-overdue"),
              t.get("column.value-at-risk"),
              t.get("column.action")),
          watchRows);
    }
    html.append("</section>\n");
  }

  private String delta(
      java.util.Optional<AnalystFigures.Totals> before,
      java.util.function.Function<AnalystFigures.Totals, String> change) {
    if (figures.analyst().previous().isEmpty()) {
      return "";
    }
    return before.map(change).orElse(t.get("week.new"));
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  /** Customers and revenue per tier at every snapshot of the warehouse. */
  private void trends() {
    List<AnalystFigures.TrendPoint> points = figures.analyst().trends();
    section(t.get("trends.title"), t.get("trends.note"));
    chart("trend-customers", t.get("chart.trend-customers"), AnalystCharts.trend(points, false, t));
    chart("trend-revenue", t.get("chart.trend-revenue"), AnalystCharts.trend(points, true, t));
    html.append("</div></section>\n");
  }

  /** The churn summary per tier and RFM segment. */
  private void churn() {
    List<AnalystFigures.ChurnLine> lines = figures.analyst().churn();
    if (lines.isEmpty()) {
      return;
    }
    section(t.get("churn.title"), t.get("churn.note"));
    html.append("</div>");
    List<List<String>> rows = new ArrayList<>();
    for (AnalystFigures.ChurnLine line : lines) {
      rows.add(
          List.of(
              t.label("churn-scheme", line.scheme()),
              line.name(),
              String.format(Locale.ROOT, "%,d", line.customers()),
              line.alivePreviously() == null
                  ? ""
                  : String.format(Locale.ROOT, "%,d", line.alivePreviously()),
              line.churned() == null ? "" : String.format(Locale.ROOT, "%,d", line.churned()),
              line.churnRate() == null ? "" : pct(line.churnRate()),
              String.format(Locale.ROOT, "%,d", line.watched()),
              money(line.revenueAtRisk())));
    }
    table(
        List.of(
            t.get("column.scheme"),
            t.get("column.name"),
            t.get("column.customers"),
            t.get("column.alive-previously"),
            t.get("column.churned"),
            t.get("column.churn-rate"),
            t.get("column.watched"),
            t.get("column.revenue-at-risk")),
        rows);
    html.append("</section>\n");
  }

  /** The cohort triangle and the observed against the expected retention curve. */
  private void cohorts() {
    List<AnalystFigures.CohortCell> cells = figures.analyst().cohorts();
    if (cells.isEmpty()) {
      return;
    }
    section(t.get("cohorts.title"), t.get("cohorts.note"));
    chart(
        "cohort-triangle",
        t.get("chart.cohort-triangle"),
        AnalystCharts.cohortTriangle(cells, t),
        " style=\"height:" + Math.max(320, 40 + 18 * cohortCount(cells)) + "px\"");
    AnalystCharts.cohortCurve(cells, t)
        .ifPresent(option -> chart("cohort-curve", t.get("chart.cohort-curve"), option));
    html.append("</div></section>\n");
  }

  /** Run diagnostics for the engineer: data quality, the tier model, stage times, parameters. */
  private void diagnostics(ReportFigures.RunFigures run) {
    section(t.get("diagnostics.title"), t.get("diagnostics.note"));
    html.append("</div><div class=\"kpis\">");
    kpi(t.get("kpi.rows-read"), String.format(Locale.ROOT, "%,d", run.rowsRead()));
    kpi(
        t.get("kpi.rows-rejected"),
        String.format(
            Locale.ROOT,
            "%,d (%.2f %%)",
            run.rowsRejected(),
            run.rowsRead() == 0 ? 0 : 100.0 * run.rowsRejected() / run.rowsRead()));
    kpi(
        t.get("kpi.k-selection"),
        t.label("k-selection", run.kSelection())
            + (run.silhouette() == null ? "" : t.format("kpi.silhouette", run.silhouette())));
    run.anonymousRevenue().ifPresent(text -> kpi(t.get("kpi.anonymous-revenue"), text));
    kpi(
        t.get("kpi.reconciled"),
        t.get(run.reconciled() ? "kpi.reconciled.yes" : "kpi.reconciled.no"));
    html.append("</div>");
    if (!run.tierModel().isEmpty()) {
      html.append("<p class=\"note\">")
          .append(escape(t.get("kpi.tier-model")))
          .append(": <code>")
          .append(escape(run.tierModel()))
          .append("</code></p>");
    }
    if (!run.warnings().isEmpty()) {
      html.append("<div class=\"warnings\"><h3>")
          .append(escape(t.get("report.warnings")))
          .append("</h3><ul>");
      run.warnings().forEach(w -> html.append("<li>").append(escape(w)).append("</li>"));
      html.append("</ul></div>");
    }
    html.append("<div class=\"charts\">");
    chart(
        "data-quality",
        t.get("chart.data-quality"),
        ChartOptions.dataQuality(run, figures.rejectsByReason(), t));
    if (!run.stageMillis().isEmpty()) {
      chart(
          "stage-times", t.get("chart.stage-times"), ChartOptions.stageTimes(run.stageMillis(), t));
    }
    if (!figures.silhouetteByK().isEmpty()) {
      chart(
          "silhouette",
          t.get("chart.silhouette"),
          ChartOptions.silhouette(figures.silhouetteByK(), figures.run().k(), t));
    }
    chart("tier-snake", t.get("chart.tier-snake"), ChartOptions.snake(figures.tiers(), t));
    html.append("</div>");
    figures
        .clv()
        .ifPresent(
            clv -> {
              List<List<String>> rows = new ArrayList<>();
              clv.parameters()
                  .forEach(
                      (name, value) ->
                          rows.add(
                              List.of(
                                  name,
                                  value == null ? "" : String.format(Locale.ROOT, "%.4g", value))));
              table(List.of(t.get("column.model-parameter"), t.get("column.value")), rows);
            });
    html.append("</section>\n");
  }

  /** Every segment and metric of the page, explained in the page's language. */
  private void glossary() {
    section(t.get("glossary.title"), t.get("glossary.note"));
    html.append("</div><dl class=\"glossary\">");
    for (String key : GLOSSARY) {
      html.append("<dt>")
          .append(escape(t.get("glossary." + key + ".term")))
          .append("</dt><dd>")
          .append(escape(t.get("glossary." + key)))
          .append("</dd>");
    }
    html.append("</dl></section>\n");
  }

  /** The glossary's entries, in the order of the page. */
  static final List<String> GLOSSARY =
      java.util.stream.Stream.of(
              List.of("recency", "frequency", "monetary", "scores", "tier", "rfm"),
              SegmentSettings.RFM_CODES,
              List.of("pyramid", "matrix", "lifecycle", "loyalty"),
              SegmentSettings.QUADRANT_CODES,
              List.of(
                  "p-alive",
                  "clv",
                  "churn-watch",
                  "value-at-risk",
                  "churn-rate",
                  "cohort",
                  "expected-share",
                  "migration",
                  "silhouette"))
          .flatMap(List::stream)
          .toList();

  private void tiers() {
    List<TierFigures> tiers = figures.tiers();
    section(t.get("tiers.title"), t.get("tiers.note"));
    chart("tier-shares", t.get("chart.tier-shares"), ChartOptions.tierShares(tiers, t));
    chart(
        "tier-recency",
        t.get("chart.tier-recency"),
        ChartOptions.spreadByTier(tiers, TierFigures::recencyDays, "", t, false));
    chart(
        "tier-frequency",
        t.get("chart.tier-frequency"),
        ChartOptions.spreadByTier(tiers, TierFigures::frequency, "", t, true));
    chart(
        "tier-monetary",
        t.get("chart.tier-monetary"),
        ChartOptions.spreadByTier(tiers, TierFigures::monetary, "", t, true));
    if (!figures.analyst().clvByTier().isEmpty()) {
      chart(
          "tier-clv",
          t.format("chart.tier-clv", figures.clv().map(c -> horizon(c.horizon())).orElse("")),
          AnalystCharts.clvByTier(figures.analyst().clvByTier(), tiers, t));
    }
    html.append("</div>");
    List<List<String>> rows = new ArrayList<>();
    for (TierFigures t : tiers) {
      rows.add(
          List.of(
              String.valueOf(t.tier()),
              t.name(),
              String.format(Locale.ROOT, "%,d", t.customers()),
              pct(t.customerShare()),
              money(t.revenue()),
              pct(t.revenueShare()),
              number(t.recencyDays() == null ? null : t.recencyDays().median()),
              number(t.frequency() == null ? null : t.frequency().median()),
              number(t.monetary() == null ? null : t.monetary().median())));
    }
    table(
        List.of(
            t.get("column.tier"),
            t.get("column.name"),
            t.get("column.customers"),
            t.get("column.share"),
            t.get("column.revenue"),
            t.get("column.revenue-share"),
            t.get("column.median-recency"),
            t.get("column.median-frequency"),
            t.get("column.median-monetary")),
        rows);
    html.append("</section>\n");
  }

  private void segments() {
    Map<String, List<SegmentFigures>> schemes = figures.segmentsByScheme();
    section(t.get("segments.title"), t.get("segments.note"));
    chart(
        "rf-customers",
        t.get("chart.rf-customers"),
        AnalystCharts.rfGrid(figures.analyst().rfGrid(), false, t));
    chart(
        "rf-revenue",
        t.get("chart.rf-revenue"),
        AnalystCharts.rfGrid(figures.analyst().rfGrid(), true, t));
    if (schemes.containsKey("rfm_segment")) {
      chart(
          "segment-treemap",
          t.get("chart.segment-treemap"),
          AnalystCharts.segmentTreemap(schemes.get("rfm_segment"), t));
    }
    if (schemes.containsKey("loyalty_quadrant")) {
      chart(
          "quadrants",
          t.get("chart.quadrants"),
          AnalystCharts.quadrants(schemes.get("loyalty_quadrant"), t));
    }
    if (schemes.containsKey("customer_layer")) {
      chart(
          "pyramid",
          t.get("chart.pyramid"),
          ChartOptions.pyramid(schemes.get("customer_layer"), PYRAMID, t));
    }
    for (String scheme : List.of("rfm_segment", "value_matrix", "lifecycle_stage")) {
      if (schemes.containsKey(scheme)) {
        chart(
            "segments-" + scheme.replace('_', '-'),
            t.get("chart.segments." + scheme),
            ChartOptions.segmentShares(schemes.get(scheme), t));
      }
    }
    html.append("</div>");
    if (schemes.containsKey("rfm_segment")) {
      List<List<String>> rows = new ArrayList<>();
      for (SegmentFigures s : schemes.get("rfm_segment")) {
        rows.add(
            List.of(
                s.name(),
                String.format(Locale.ROOT, "%,d", s.customers()),
                pct(s.customerShare()),
                pct(s.revenueShare()),
                number(s.meanRecencyDays()),
                number(s.meanFrequency()),
                number(s.meanMonetary())));
      }
      table(
          List.of(
              t.get("column.rfm-segment"),
              t.get("column.customers"),
              t.get("column.share"),
              t.get("column.revenue-share"),
              t.get("column.mean-recency"),
              t.get("column.mean-frequency"),
              t.get("column.mean-monetary")),
          rows);
    }
    if (schemes.containsKey("loyalty_quadrant")) {
      List<List<String>> rows = new ArrayList<>();
      for (SegmentFigures s : schemes.get("loyalty_quadrant")) {
        rows.add(
            List.of(
                s.name(),
                String.format(Locale.ROOT, "%,d", s.customers()),
                pct(s.customerShare()),
                money(s.revenue()),
                pct(s.revenueShare()),
                figures.analyst().quadrantActions().getOrDefault(s.code(), "")));
      }
      table(
          List.of(
              t.get("column.quadrant"),
              t.get("column.customers"),
              t.get("column.share"),
              t.get("column.revenue"),
              t.get("column.revenue-share"),
              t.get("column.action")),
          rows);
    }
    html.append("</section>\n");
  }

  private void migration() {
    section(
        t.get("migration.title"),
        figures
            .previousSnapshot()
            .map(d -> t.format("migration.note", t.date(d)))
            .orElse(t.get("migration.first")));
    if (figures.previousSnapshot().isPresent()) {
      chart(
          "migration",
          t.format("chart.migration", t.date(figures.previousSnapshot().get())),
          ChartOptions.migration(figures.migration(), figures.tiers(), t));
    }
    html.append("</div></section>\n");
  }

  private void clv() {
    if (figures.clv().isEmpty()) {
      return;
    }
    ReportFigures.ClvFigures clv = figures.clv().get();
    section(t.get("clv.title"), t.format("clv.note", horizon(clv.horizon())));
    chart(
        "clv-distribution",
        t.format("chart.clv-distribution", horizon(clv.horizon())),
        ChartOptions.histogram(clv.value(), t.get("series.customers"), 2));
    chart(
        "p-alive",
        t.get("chart.p-alive"),
        ChartOptions.histogram(clv.probabilityAlive(), t.get("series.customers"), 2));
    html.append("</div>");
    html.append("</section>\n");
  }

  private void topCustomers() {
    if (figures.topCustomers().isEmpty()) {
      return;
    }
    section(t.get("top.title"), t.format("top.note", figures.topCustomers().size()));
    html.append("</div>");
    List<String> header =
        figures.topCustomers().get(0).keySet().stream().map(c -> t.get("column." + c)).toList();
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> customer : figures.topCustomers()) {
      rows.add(
          customer.values().stream()
              .map(
                  v ->
                      v instanceof Double d
                          ? number(d)
                          : v instanceof BigDecimal b ? money(b) : v == null ? "" : v.toString())
              .toList());
    }
    table(header, rows);
    html.append("</section>\n");
  }

  /** A CLV horizon label ("12m", "39w", "365d", "1y", "1_5y") in words. */
  private String horizon(String label) {
    String unit = label.substring(label.length() - 1);
    String amount = label.substring(0, label.length() - 1).replace('_', '.');
    return t.format("horizon." + unit, amount);
  }

  private void section(String title, String description) {
    html.append("<section><h2>")
        .append(escape(title))
        .append("</h2><p class=\"note\">")
        .append(escape(description))
        .append("</p><div class=\"charts\">");
  }

  private void chart(String id, String title, Map<String, Object> option) {
    chart(id, title, option, "");
  }

  /** A chart; {@code attributes} are extra attributes of its div (a taller style). */
  private void chart(String id, String title, Map<String, Object> option, String attributes) {
    charts.put(id, option);
    html.append("<figure><figcaption>")
        .append(escape(title))
        .append("</figcaption><div class=\"chart\" id=\"")
        .append(id)
        .append("\"")
        .append(attributes)
        .append("></div></figure>");
  }

  private static long cohortCount(List<AnalystFigures.CohortCell> cells) {
    return cells.stream().map(AnalystFigures.CohortCell::cohort).distinct().count();
  }

  /**
   * A table that scrolls sideways on a narrow screen; numbers are right-aligned, text left (a
   * column's header follows its first row).
   */
  private void table(List<String> header, List<List<String>> rows) {
    List<Boolean> numeric =
        rows.isEmpty()
            ? header.stream().map(h -> false).toList()
            : rows.get(0).stream().map(ReportPage::isNumber).toList();
    html.append("<div class=\"table\"><table><thead><tr>");
    for (int i = 0; i < header.size(); i++) {
      html.append(numeric.get(i) ? "<th class=\"num\">" : "<th>")
          .append(escape(header.get(i)))
          .append("</th>");
    }
    html.append("</tr></thead><tbody>");
    for (List<String> row : rows) {
      html.append("<tr>");
      for (String cell : row) {
        html.append(isNumber(cell) ? "<td class=\"num\">" : "<td>")
            .append(escape(cell))
            .append("</td>");
      }
      html.append("</tr>");
    }
    html.append("</tbody></table></div>");
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("[-+]?[0-9][0-9,]*(\\.[0-9]+)?( %)?");

  static boolean isNumber(String cell) {
    return NUMBER.matcher(cell).matches();
  }

  private static String pct(double share) {
    return percent(share) + " %";
  }

  private static String number(Double value) {
    return value == null ? "" : String.format(Locale.ROOT, "%,.2f", value);
  }

  private static String money(BigDecimal value) {
    return value == null ? "" : String.format(Locale.ROOT, "%,.2f", value);
  }

  /** Text for HTML element content and attribute values. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * JSON safe inside a script element: {@code <}, {@code >} and {@code &} only occur inside JSON
   * strings, where their \\u escapes mean the same, so no "&lt;/script&gt;" in the data can end the
   * element.
   */
  static String scriptJson(Object value) {
    try {
      return JSON.writeValueAsString(value)
          .replace("<", "\\u003c")
          .replace(">", "\\u003e")
          .replace("&", "\\u0026")
          .replace("\u2028", "\\u2028")
          .replace("\u2029", "\\u2029");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("chart options are plain maps and lists", e);
    }
  }

  private static String echarts() {
    try (InputStream in = ReportPage.class.getClassLoader().getResourceAsStream(ECHARTS)) {
      if (in == null) {
        throw new IllegalStateException(
            "the ECharts WebJar (org.webjars.npm:echarts) is not on the class path: " + ECHARTS);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String ERROR_TRAP =
      """
      window.reportErrors = [];
      window.addEventListener('error', function (e) { window.reportErrors.push(String(e.message)); });
      """;

  // Draws every chart as SVG; marks each with how many SVG elements it drew, and shows any failure.
  private static final String DRAW =
      """
      (function () {
        var drawn = [];
        Object.keys(CHARTS).forEach(function (id) {
          var el = document.getElementById(id);
          try {
            var chart = echarts.init(el, null, { renderer: 'svg' });
            chart.setOption(CHARTS[id]);
            var n = el.querySelectorAll('svg path, svg text, svg rect').length;
            el.setAttribute('data-drawn', String(n));
            if (n === 0) { window.reportErrors.push('chart ' + id + ' drew nothing'); }
            drawn.push(chart);
          } catch (e) {
            window.reportErrors.push('chart ' + id + ': ' + e.message);
          }
        });
        window.addEventListener('resize', function () { drawn.forEach(function (c) { c.resize(); }); });
        var box = document.getElementById('report-errors');
        if (window.reportErrors.length > 0) {
          box.hidden = false;
          box.textContent = FAILED + ' ' + window.reportErrors.join('; ');
        }
        document.body.setAttribute('data-charts-drawn', String(drawn.length));
        // whether the page's fonts draw its CJK text: with no CJK font, Chinese and an unassigned code
        // point both come out as the same empty box, of the same width
        var canvas = document.createElement('canvas').getContext('2d');
        canvas.font = '16px ' + getComputedStyle(document.body).fontFamily;
        var han = canvas.measureText('\u5ba2\u6237\u4ef7\u503c').width;
        var notdef = canvas.measureText('\u0378\u0378\u0378\u0378').width;
        document.body.setAttribute('data-cjk-glyphs', han !== notdef ? 'yes' : 'no');
      })();
      """;

  private static final String CSS =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB","Microsoft YaHei",
      "Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:0;color:#1f2d3d;background:#f4f6f8}
      header{background:#1f3a5f;color:#fff;padding:16px 28px}header h1{margin:0 0 4px;font-size:22px}
      header p{margin:0;font-size:13px;opacity:.85;overflow-wrap:anywhere}header code{color:#fff}
      #report-errors{background:#c0392b;color:#fff;padding:8px;margin-top:8px;font-weight:600}
      main{padding:8px 28px 28px}section{background:#fff;border-radius:6px;padding:12px 18px;margin:16px 0;
      box-shadow:0 1px 3px rgba(0,0,0,.08)}h2{font-size:18px;margin:4px 0}h3{font-size:15px;margin:14px 0 0}
      .note{color:#5a6b7b;font-size:13px;margin:2px 0 8px}
      .kpis{display:flex;flex-wrap:wrap;gap:12px}.kpi{flex:1 1 150px;border-left:4px solid #1f3a5f;padding:4px 10px}
      .kpi-value{font-size:20px;font-weight:600;white-space:nowrap}.kpi-label{font-size:12px;color:#5a6b7b}
      .delta{font-size:13px;font-weight:400;color:#5a6b7b}
      .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(520px,100%),1fr));gap:12px}
      figure{margin:0;min-width:0}figcaption{font-size:13px;font-weight:600;margin-bottom:4px}.chart{height:320px;width:100%}
      .table{overflow-x:auto}table{border-collapse:collapse;font-size:13px;margin-top:10px;width:100%}
      th,td{padding:4px 8px;border-bottom:1px solid #e3e8ee;text-align:left}th.num,td.num{text-align:right;white-space:nowrap}
      thead th{background:#eef2f6}.warnings{border-left:4px solid #e67e22;padding-left:10px}
      dl.glossary{display:grid;grid-template-columns:minmax(120px,220px) 1fr;gap:4px 16px;font-size:13px}
      dl.glossary dt{font-weight:600}dl.glossary dd{margin:0;color:#33475b}
      footer{font-size:12px;color:#5a6b7b;padding:0 28px 20px}
      @media (max-width:600px){main{padding:4px 8px 16px}section{padding:10px}header{padding:12px}
      .chart{height:280px}.table table{min-width:600px}dl.glossary{grid-template-columns:1fr}
      dl.glossary dd{margin-bottom:6px}}
      """;
}
