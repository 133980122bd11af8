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
    tiers();
    segments();
    migration();
    clv();
    dataQuality(run);
    topCustomers();
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

  private void keyFigures(ReportFigures.RunFigures run) {
    html.append("<section class=\"kpis\">");
    kpi(t.get("kpi.customers"), String.format(Locale.ROOT, "%,d", run.customers()));
    kpi(t.get("kpi.revenue"), money(run.monetaryTotal()));
    kpi(t.get("kpi.rows-read"), String.format(Locale.ROOT, "%,d", run.rowsRead()));
    kpi(
        t.get("kpi.rows-rejected"),
        String.format(
            Locale.ROOT,
            "%,d (%.2f %%)",
            run.rowsRejected(),
            run.rowsRead() == 0 ? 0 : 100.0 * run.rowsRejected() / run.rowsRead()));
    kpi(
        t.get("kpi.tiers"),
        run.k()
            + " ("
            + t.label("k-selection", run.kSelection())
            + (run.silhouette() == null ? "" : t.format("kpi.silhouette", run.silhouette()))
            + ")");
    run.anonymousRevenue().ifPresent(text -> kpi(t.get("kpi.anonymous-revenue"), text));
    if (!run.tierModel().isEmpty()) {
      kpi(t.get("kpi.tier-model"), run.tierModel());
    }
    kpi(
        t.get("kpi.reconciled"),
        t.get(run.reconciled() ? "kpi.reconciled.yes" : "kpi.reconciled.no"));
    figures
        .clv()
        .ifPresent(
            c ->
                kpi(
                    t.format("kpi.clv", horizon(c.horizon())),
                    String.format(Locale.ROOT, "%,.0f", c.totalValue())));
    html.append("</section>\n");
    if (!run.warnings().isEmpty()) {
      html.append("<section class=\"warnings\"><h2>")
          .append(escape(t.get("report.warnings")))
          .append("</h2><ul>");
      run.warnings().forEach(w -> html.append("<li>").append(escape(w)).append("</li>"));
      html.append("</ul></section>\n");
    }
  }

  private void kpi(String label, String value) {
    html.append("<div class=\"kpi\"><div class=\"kpi-value\">")
        .append(escape(value))
        .append("</div><div class=\"kpi-label\">")
        .append(escape(label))
        .append("</div></div>");
  }

  private void tiers() {
    List<TierFigures> tiers = figures.tiers();
    section(t.get("tiers.title"), t.get("tiers.note"));
    chart("tier-shares", t.get("chart.tier-shares"), ChartOptions.tierShares(tiers, t));
    chart(
        "tier-recency",
        t.get("chart.tier-recency"),
        ChartOptions.spreadByTier(tiers, TierFigures::recencyDays, "", t));
    chart(
        "tier-frequency",
        t.get("chart.tier-frequency"),
        ChartOptions.spreadByTier(tiers, TierFigures::frequency, "", t));
    chart(
        "tier-monetary",
        t.get("chart.tier-monetary"),
        ChartOptions.spreadByTier(tiers, TierFigures::monetary, "", t));
    chart("tier-snake", t.get("chart.tier-snake"), ChartOptions.snake(tiers, t));
    if (!figures.silhouetteByK().isEmpty()) {
      chart(
          "silhouette",
          t.get("chart.silhouette"),
          ChartOptions.silhouette(figures.silhouetteByK(), figures.run().k(), t));
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
    List<List<String>> rows = new ArrayList<>();
    clv.parameters()
        .forEach(
            (name, value) ->
                rows.add(
                    List.of(name, value == null ? "" : String.format(Locale.ROOT, "%.4g", value))));
    table(List.of(t.get("column.model-parameter"), t.get("column.value")), rows);
    html.append("</section>\n");
  }

  private void dataQuality(ReportFigures.RunFigures run) {
    section(t.get("quality.title"), t.get("quality.note"));
    chart(
        "data-quality",
        t.get("chart.data-quality"),
        ChartOptions.dataQuality(run, figures.rejectsByReason(), t));
    if (!run.stageMillis().isEmpty()) {
      chart(
          "stage-times", t.get("chart.stage-times"), ChartOptions.stageTimes(run.stageMillis(), t));
    }
    html.append("</div></section>\n");
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
    charts.put(id, option);
    html.append("<figure><figcaption>")
        .append(escape(title))
        .append("</figcaption><div class=\"chart\" id=\"")
        .append(id)
        .append("\"></div></figure>");
  }

  private void table(List<String> header, List<List<String>> rows) {
    html.append("<table><thead><tr>");
    header.forEach(h -> html.append("<th>").append(escape(h)).append("</th>"));
    html.append("</tr></thead><tbody>");
    for (List<String> row : rows) {
      html.append("<tr>");
      row.forEach(cell -> html.append("<td>").append(escape(cell)).append("</td>"));
      html.append("</tr>");
    }
    html.append("</tbody></table>");
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
      header p{margin:0;font-size:13px;opacity:.85}header code{color:#fff}
      #report-errors{background:#c0392b;color:#fff;padding:8px;margin-top:8px;font-weight:600}
      main{padding:8px 28px 28px}section{background:#fff;border-radius:6px;padding:12px 18px;margin:16px 0;
      box-shadow:0 1px 3px rgba(0,0,0,.08)}h2{font-size:18px;margin:4px 0}.note{color:#5a6b7b;font-size:13px;margin:2px 0 8px}
      .kpis{display:flex;flex-wrap:wrap;gap:12px}.kpi{flex:1 1 160px;border-left:4px solid #1f3a5f;padding:4px 10px}
      .kpi-value{font-size:20px;font-weight:600}.kpi-label{font-size:12px;color:#5a6b7b}
      .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}
      figure{margin:0}figcaption{font-size:13px;font-weight:600;margin-bottom:4px}.chart{height:320px;width:100%}
      table{border-collapse:collapse;font-size:13px;margin-top:10px;width:100%}th,td{padding:4px 8px;
      border-bottom:1px solid #e3e8ee;text-align:right}th:first-child,td:first-child,th:nth-child(2),td:nth-child(2)
      {text-align:left}thead th{background:#eef2f6}.warnings{border-left:4px solid #e67e22}
      footer{font-size:12px;color:#5a6b7b;padding:0 28px 20px}
      """;
}
