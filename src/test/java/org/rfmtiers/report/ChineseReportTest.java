package org.rfmtiers.report;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.*;
import static org.rfmtiers.Columns.*;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rfmtiers.CliRunner;
import org.rfmtiers.SparkTestSession;

/**
 * A typical Chinese shop export (订单号, 客户编号, 下单时间 as yyyy/MM/dd HH:mm, 实付金额, and a 商品名称 column the
 * job does not need) runs with Chinese column names mapped by input.columns.* and display.language
 * = zh. Figures by hand, snapshot 2025-07-01:
 *
 * <ul>
 *   <li>KH001: 120.00 + 80.50 + 200.00 = 400.50, 3 orders, last 2025-06-02 (29 days);
 *   <li>KH002: 35.00, 1 order, last 2025-02-11 (140 days); KH003: 560.00 + 440.00 = 1,000.00, 2
 *       orders, 6 days; 张三: 99.90 + 10.10 = 110.00, 2 orders on one day, 91 days; KH005: 18.00, 3
 *       days; KH006: 60.00, last 2024-12-30 (183 days);
 *   <li>10 lines, all valid; monetary total 1,623.50.
 * </ul>
 */
@Tag("integration")
class ChineseReportTest {
  private static final String FILE = "src/test/resources/chinese/orders.csv";
  private static final Pattern HAN = Pattern.compile("\\p{IsHan}");

  @TempDir static Path dir;
  static Path warehouse;
  static CliRunner.Outcome outcome;

  @BeforeAll
  static void runTheExportInChinese() {
    warehouse = dir.resolve("wh");
    outcome =
        CliRunner.run(
            "run",
            "--input",
            FILE,
            "--warehouse",
            warehouse.toString(),
            "--as-of",
            "2025-07-01",
            "--set",
            "input.columns.customer-id=客户编号",
            "--set",
            "input.columns.order-id=订单号",
            "--set",
            "input.columns.order-ts=下单时间",
            "--set",
            "input.columns.amount=实付金额",
            "--set",
            "input.timestamp-format=\"yyyy/MM/dd HH:mm\"",
            "--set",
            "display.language=zh");
    assertEquals(0, outcome.code(), outcome.err());
  }

  @Test
  void chineseColumnNamesWorkAsInputNames() {
    SparkSession spark = SparkTestSession.get();
    Map<String, BigDecimal> monetary = new HashMap<>();
    Map<String, Long> frequency = new HashMap<>();
    Map<String, Integer> recency = new HashMap<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(warehouse.resolve("customer_rfm").toString())
            .collectAsList()) {
      monetary.put(r.getAs(CUSTOMER_ID), r.getAs(MONETARY));
      frequency.put(r.getAs(CUSTOMER_ID), ((Number) r.getAs(FREQUENCY)).longValue());
      recency.put(r.getAs(CUSTOMER_ID), ((Number) r.getAs(RECENCY_DAYS)).intValue());
    }
    assertEquals(
        Map.of(
            "KH001", new BigDecimal("400.50"),
            "KH002", new BigDecimal("35.00"),
            "KH003", new BigDecimal("1000.00"),
            "张三", new BigDecimal("110.00"),
            "KH005", new BigDecimal("18.00"),
            "KH006", new BigDecimal("60.00")),
        monetary);
    assertEquals(
        Map.of("KH001", 3L, "KH002", 1L, "KH003", 2L, "张三", 2L, "KH005", 1L, "KH006", 1L),
        frequency);
    assertEquals(
        Map.of("KH001", 29, "KH002", 140, "KH003", 6, "张三", 91, "KH005", 3, "KH006", 183), recency);
    Row log = spark.read().format("delta").load(warehouse.resolve("run_log").toString()).head();
    assertEquals(10L, log.<Long>getAs(ROWS_READ));
    assertEquals(10L, log.<Long>getAs(ROWS_VALID));
    assertEquals(new BigDecimal("1623.50"), log.getAs(MONETARY_TOTAL));
  }

  @Test
  void namesAndTheConsoleAreChinese() {
    SparkSession spark = SparkTestSession.get();
    for (String column :
        List.of(TIER_NAME, RFM_SEGMENT_NAME, CUSTOMER_LAYER_NAME, LIFECYCLE_STAGE_NAME)) {
      for (Row r :
          spark
              .read()
              .format("delta")
              .load(warehouse.resolve("customer_rfm").toString())
              .select(col(column))
              .distinct()
              .collectAsList()) {
        assertTrue(HAN.matcher(r.getString(0)).find(), column + " = " + r.getString(0));
      }
    }
    String out = outcome.out();
    assertTrue(out.contains("快照日 2025年7月1日"), out);
    assertTrue(out.contains("读取 10 行，有效 10 行，拒收 0 行"), out);
    assertTrue(out.contains("客户 6 位"), out);
    assertTrue(out.contains("  层级 名称                 画像"), "the table's Chinese header: " + out);
    assertTrue(out.contains("报告："), out);
    // tier names line up: the profile column starts at the same terminal column on every row
    List<String> rows =
        out.lines().filter(l -> l.matches("  \\d +.*R[HML] F[HML] M[HML].*")).toList();
    assertFalse(rows.isEmpty(), out);
    for (String row : rows) {
      int profile = row.indexOf(" R") + 1;
      assertEquals(
          2 + 4 + 1 + 20 + 1,
          org.rfmtiers.text.Texts.columns(row.substring(0, profile)),
          "aligned: " + row);
    }
  }

  @Test
  void theRunsPageIsThePageTheReportCommandDrawsFromTheTables() throws Exception {
    Path out = dir.resolve("redrawn");
    CliRunner.Outcome redraw =
        CliRunner.run(
            "report",
            "--warehouse",
            warehouse.toString(),
            "--as-of",
            "2025-07-01",
            "--report-dir",
            out.toString(),
            "--set",
            "display.language=zh");
    assertEquals(0, redraw.code(), redraw.err());
    // the run drew its page from the rows it had just written, still cached; the command reads
    // the tables back
    assertEquals(
        Files.readString(warehouse.resolve("report/2025-07-01/index.html"), StandardCharsets.UTF_8),
        Files.readString(out.resolve("2025-07-01/index.html"), StandardCharsets.UTF_8));
  }

  /** Skips without a Chinese font (fails in CI, which installs fonts-noto-cjk). */
  private static void requireCjkFont() throws Exception {
    Process fcList = new ProcessBuilder("fc-list", ":lang=zh", "family").start();
    String fonts = new String(fcList.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    fcList.waitFor();
    if (fonts.isBlank()) {
      assertNull(
          System.getenv("RFM_TIERS_REQUIRE_BROWSER"),
          "install a CJK font (apt-get install fonts-noto-cjk)");
      Assumptions.abort("no CJK font: apt-get install fonts-noto-cjk to draw the Chinese report");
    }
  }

  @Test
  void theReportIsChineseAndDrawnInACjkFont() throws Exception {
    Path page = warehouse.resolve("report").resolve("2025-07-01").resolve("index.html");
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertTrue(html.contains("<html lang=\"zh-CN\">"));
    assertTrue(html.contains("<h1>客户价值报告 — 快照日 2025年7月1日</h1>"), "heading");
    assertTrue(html.contains("\"Noto Sans CJK SC\""), "the font stack names CJK fonts");
    assertTrue(html.contains("<div class=\"kpi-label\">客户数</div>"));

    Chromium.require();
    requireCjkFont();
    Path profile = Files.createTempDirectory("chromium-profile");
    String dom = Chromium.run(profile, Map.of(), "--dump-dom", page.toUri().toString());
    assertTrue(dom.contains("data-cjk-glyphs=\"yes\""), "a CJK font draws the page's Chinese");
    // every heading, chart title and table header the page shows is Chinese
    for (String tag : List.of("h1", "h2", "figcaption", "th")) {
      Matcher m = Pattern.compile("<" + tag + "[^>]*>(.*?)</" + tag + ">").matcher(dom);
      int seen = 0;
      while (m.find()) {
        seen++;
        assertTrue(HAN.matcher(m.group(1)).find(), "<" + tag + "> " + m.group(1));
      }
      assertTrue(seen > 0, tag);
    }
    Path screenshot = Path.of("target", "report-screenshot-zh.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    Chromium.run(
        profile,
        Map.of(),
        "--screenshot=" + screenshot,
        "--window-size=1400,3000",
        "--hide-scrollbars",
        page.toUri().toString());
    assertTrue(Files.size(screenshot) > 50_000, "a screenshot: " + Files.size(screenshot));

    // the check can fail: on a machine whose only fonts have no Chinese (DejaVu), it says so
    Path fontsConf = dir.resolve("fonts.conf");
    Files.writeString(
        fontsConf,
        """
        <?xml version="1.0"?>
        <!DOCTYPE fontconfig SYSTEM "fonts.dtd">
        <fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>%s</cachedir></fontconfig>
        """
            .formatted(dir.resolve("font-cache")));
    String boxes =
        Chromium.run(
            Files.createTempDirectory("chromium-profile"),
            Map.of("FONTCONFIG_FILE", fontsConf.toString()),
            "--dump-dom",
            page.toUri().toString());
    assertTrue(boxes.contains("data-cjk-glyphs=\"no\""), "no CJK font: empty boxes detected");
  }
}
