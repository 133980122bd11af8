package org.rfmtiers.report;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rfmtiers.CliRunner;
import org.rfmtiers.GeneratedWarehouse;
import org.rfmtiers.SparkTestSession;
import org.rfmtiers.cli.Main;

/**
 * The report each run writes, opened in headless Chromium (Debian's {@code chromium}): every chart
 * drew SVG with the data's labels, no script error, markup in the data shown as text, nothing
 * fetched from the network, and a screenshot saved to {@code target/report-screenshot.png}. Without
 * Chromium the browser half is skipped, unless RFM_TIERS_REQUIRE_BROWSER is set (as .ci/run does).
 */
@Tag("integration")
@Tag("long")
class ReportRenderingTest {
  /** Every chart, in the order of the page: the analyst's first, the run's diagnostics last. */
  private static final List<String> CHARTS =
      List.of(
          "rf-customers",
          "rf-revenue",
          "segment-treemap",
          "quadrants",
          "pyramid",
          "segments-rfm-segment",
          "segments-value-matrix",
          "segments-lifecycle-stage",
          "trend-customers",
          "trend-revenue",
          "tier-shares",
          "tier-recency",
          "tier-frequency",
          "tier-monetary",
          "tier-clv",
          "cohort-triangle",
          "cohort-curve",
          "clv-distribution",
          "p-alive",
          "migration",
          "data-quality",
          "stage-times",
          "silhouette",
          "tier-snake");

  private static final Pattern CHART_DIV =
      Pattern.compile("<div class=\"chart\" id=\"([a-z-]+)\"([^>]*)>");

  static GeneratedWarehouse generated;
  static Path latest;

  @BeforeAll
  static void warehouse() {
    generated = GeneratedWarehouse.get();
    latest =
        Path.of(generated.warehouse, "report", GeneratedWarehouse.SNAPSHOTS.get(1), "index.html");
  }

  @Test
  void everyRunWritesASelfContainedPageWithItsFigures() throws Exception {
    for (String snapshot : GeneratedWarehouse.SNAPSHOTS) {
      assertTrue(
          Files.exists(Path.of(generated.warehouse, "report", snapshot, "index.html")), snapshot);
    }
    String html = Files.readString(latest, StandardCharsets.UTF_8);
    assertFalse(
        Pattern.compile("(src|href)\\s*=\\s*[\"']?(https?:)?//", Pattern.CASE_INSENSITIVE)
            .matcher(html)
            .find(),
        "nothing is fetched: no external script, style or image");
    assertTrue(html.contains("echarts"), "the chart library is inlined");
    for (String chart : CHARTS) {
      assertTrue(html.contains("id=\"" + chart + "\""), "chart " + chart);
    }
    assertTrue(
        html.contains("Tier migration since 2025-07-01"),
        "the second snapshot compares with the first");
    // markup in the data is text: the id in the customers table, the tier name in tables and chart
    // data
    assertFalse(html.contains(GeneratedWarehouse.HOSTILE_CUSTOMER));
    assertFalse(markup(html).contains("<img"), "outside the bundled library's own code");
    assertTrue(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assertTrue(
        html.contains("\\u003cimg src=x onerror=alert(1)\\u003eChampions"),
        "escaped inside the chart JSON");

    Row log =
        SparkTestSession.get()
            .read()
            .format("delta")
            .load(generated.warehouse + "/run_log")
            .filter("status = 'succeeded' AND snapshot_date = DATE'2026-01-01'")
            .orderBy(col("finished_at").desc())
            .head();
    assertTrue(
        html.contains(
            String.format(
                Locale.ROOT,
                "<div class=\"kpi-value\">%,d <span class=\"delta\">",
                log.<Long>getAs("customers"))),
        "the customer count of the run, with its change since the first snapshot");
    assertTrue(html.contains(log.<String>getAs("run_id")));
  }

  @Test
  void theReportCommandRedrawsAnEarlierSnapshotAndNamesAMissingWarehouse() throws Exception {
    Path out = Files.createTempDirectory("reports");
    String html = redraw(GeneratedWarehouse.SNAPSHOTS.get(0), out);
    // the run drew its page from its own rows, the command from the tables: the same page
    assertEquals(
        Files.readString(
            Path.of(
                generated.warehouse, "report", GeneratedWarehouse.SNAPSHOTS.get(0), "index.html")),
        html);
    assertTrue(
        html.contains("This is the first snapshot"), "no migration chart for the first snapshot");
    assertFalse(html.contains("id=\"migration\""));
    assertEquals(
        Files.readString(latest),
        redraw(GeneratedWarehouse.SNAPSHOTS.get(1), out),
        "with CLV, churn watch, cohorts and the migration since the first snapshot");

    CliRunner.Outcome missing =
        CliRunner.run("report", "--warehouse", out.resolve("nothing-here").toString());
    assertEquals(Main.RUN_FAILED, missing.code());
    assertTrue(
        missing.err().contains("no customer_rfm table under")
            && missing.err().contains("run the job first"),
        missing.err());
  }

  /** The page `rfm-tiers report` draws of {@code snapshot} from the tables, under {@code out}. */
  private static String redraw(String snapshot, Path out) throws Exception {
    CliRunner.Outcome redraw =
        CliRunner.run(
            "report",
            "--warehouse",
            generated.warehouse,
            "--as-of",
            snapshot,
            "--report-dir",
            out.toString());
    assertEquals(0, redraw.code(), redraw.err());
    return Files.readString(out.resolve(snapshot).resolve("index.html"));
  }

  @Test
  void chromiumDrawsEveryChart() throws Exception {
    Chromium.require();
    Path profile = Files.createTempDirectory("chromium-profile");
    String dom = chromium(profile, "--dump-dom", latest.toUri().toString());
    Map<String, String> charts = chartSections(dom);
    assertEquals(CHARTS, new ArrayList<>(charts.keySet()), "every chart is in the page, in order");
    assertTrue(
        dom.contains("data-charts-drawn=\"" + CHARTS.size() + "\""),
        "the draw script ran to the end");
    Matcher errors = Pattern.compile("<div id=\"report-errors\"([^>]*)>(.*?)</div>").matcher(dom);
    assertTrue(errors.find());
    assertTrue(
        errors.group(1).contains("hidden") && errors.group(2).isEmpty(),
        "no script error: " + errors.group(2));
    for (Map.Entry<String, String> chart : charts.entrySet()) {
      String svg = chart.getValue();
      assertTrue(svg.contains("<svg"), chart.getKey() + " drew an SVG");
      int shapes = count(svg, "<path") + count(svg, "<rect");
      assertTrue(shapes >= 3, chart.getKey() + " drew " + shapes + " shapes");
    }
    // the data's labels are drawn: tier names on the axes, segment names, reject reasons
    assertTrue(
        charts.get("tier-shares").contains("&lt;img src=x onerror=alert(1)&gt;Champions"),
        "as text");
    assertTrue(
        charts.get("segments-rfm-segment").contains("Important value"),
        charts.get("segments-rfm-segment"));
    assertTrue(charts.get("migration").contains("new") && charts.get("migration").contains("lost"));
    assertFalse(markup(dom).contains("<img"), "markup from the data never became an element");
    assertTrue(
        dom.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"),
        "the hostile id is shown as text");

    screenshot(profile, "report-screenshot.png", 1400, 9000);
  }

  /** On a phone's width every chart still draws, as wide as the screen. */
  @Test
  void chromiumDrawsEveryChartAt420Pixels() throws Exception {
    Chromium.require();
    Path profile = Files.createTempDirectory("chromium-profile");
    String dom =
        chromium(profile, "--window-size=420,2000", "--dump-dom", latest.toUri().toString());
    Map<String, String> charts = chartSections(dom);
    assertEquals(CHARTS, new ArrayList<>(charts.keySet()));
    assertTrue(dom.contains("data-charts-drawn=\"" + CHARTS.size() + "\""));
    for (Map.Entry<String, String> chart : charts.entrySet()) {
      int shapes = count(chart.getValue(), "<path") + count(chart.getValue(), "<rect");
      assertTrue(shapes >= 3, chart.getKey() + " drew " + shapes + " shapes at 420 px");
      Matcher width = Pattern.compile("<svg[^>]*width=\"(\\d+)\"").matcher(chart.getValue());
      assertTrue(width.find(), chart.getKey());
      // headless Chromium lays --dump-dom out no narrower than its minimum window (about 500 px);
      // below the desktop grid's 520 px column the charts must have shrunk to the screen
      assertTrue(
          Integer.parseInt(width.group(1)) < 500,
          chart.getKey() + " is " + width.group(1) + " px wide on a narrow screen");
    }
    screenshot(profile, "report-screenshot-420.png", 420, 14000);
  }

  private static void screenshot(Path profile, String name, int width, int height)
      throws Exception {
    Path screenshot = Path.of("target", name).toAbsolutePath();
    Files.deleteIfExists(screenshot);
    chromium(
        profile,
        "--screenshot=" + screenshot,
        "--window-size=" + width + "," + height,
        "--hide-scrollbars",
        latest.toUri().toString());
    assertTrue(
        Files.size(screenshot) > 50_000,
        "a screenshot with content: " + Files.size(screenshot) + " bytes");
  }

  /** Each chart's rendered DOM, from its div to the next chart's. */
  private static Map<String, String> chartSections(String dom) {
    Map<String, String> sections = new LinkedHashMap<>();
    Matcher m = CHART_DIV.matcher(dom);
    String id = null;
    int start = 0;
    while (m.find()) {
      if (id != null) {
        sections.put(id, dom.substring(start, m.start()));
      }
      id = m.group(1);
      start = m.start();
    }
    if (id != null) {
      sections.put(id, dom.substring(start));
    }
    return sections;
  }

  /**
   * The page without the content of its script elements (the chart library mentions tags in
   * strings).
   */
  private static String markup(String page) {
    return page.replaceAll("(?s)<script>.*?</script>", "<script></script>");
  }

  private static int count(String text, String token) {
    int n = 0;
    for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + 1)) {
      n++;
    }
    return n;
  }

  private static String chromium(Path profile, String... args) throws Exception {
    return Chromium.run(profile, Map.of(), args);
  }
}
