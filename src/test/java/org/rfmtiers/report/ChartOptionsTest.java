package org.rfmtiers.report;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rfmtiers.config.SegmentSettings.Language;
import org.rfmtiers.report.ReportFigures.MigrationCell;
import org.rfmtiers.report.ReportFigures.TierFigures;
import org.rfmtiers.text.Texts;

/** The report's chart data computed by hand on two tiers, and the escaping of data in the page. */
class ChartOptionsTest {
  private static final Texts EN = Texts.of(Language.EN);
  private static final TierFigures BEST =
      new TierFigures(
          1, "Best", 10, 0.25, 0.75, new BigDecimal("750.00"), 5, 9, 400, null, null, null);
  private static final TierFigures REST =
      new TierFigures(
          2, "Rest", 30, 0.75, 0.25, new BigDecimal("250.00"), 90, 1, 20, null, null, null);

  @SuppressWarnings("unchecked")
  private static List<Object> seriesData(Map<String, Object> option, int series) {
    return (List<Object>)
        ((Map<String, Object>) ((List<Object>) option.get("series")).get(series)).get("data");
  }

  @Test
  void snakePlotStandardisesEachMetricAcrossTiersWithRecencyInverted() {
    Map<String, Object> option = ChartOptions.snake(List.of(BEST, REST), EN);
    // two tiers: each metric standardised to +1 and -1; the best tier is +1 on all three (recency
    // inverted)
    assertEquals(List.of(1.0, 1.0, 1.0), seriesData(option, 0));
    assertEquals(List.of(-1.0, -1.0, -1.0), seriesData(option, 1));
  }

  @Test
  void tierSharesArePercentWithOneDecimal() {
    Map<String, Object> option = ChartOptions.tierShares(List.of(BEST, REST), EN);
    assertEquals(List.of(25.0, 75.0), seriesData(option, 0));
    assertEquals(List.of(75.0, 25.0), seriesData(option, 1));
  }

  @Test
  void migrationPutsNewCustomersInTheLastRowAndLostOnesInTheLastColumn() {
    Map<String, Object> option =
        ChartOptions.migration(
            List.of(
                new MigrationCell(null, 1, 4),
                new MigrationCell(2, null, 3),
                new MigrationCell(2, 1, 7)),
            List.of(BEST, REST),
            EN);
    // x = to (tier 1, tier 2, lost), y = from (was tier 1, was tier 2, new)
    assertEquals(
        List.of(List.of(0, 2, 4L), List.of(2, 1, 3L), List.of(0, 1, 7L)), seriesData(option, 0));
  }

  @Test
  void histogramLabelsAreBinRanges() {
    var histogram =
        new ReportFigures.Histogram(
            List.of(-1.0, 10.0, 17.78), List.of(1.0, 17.78, 31.62), List.of(2L, 5L, 1L));
    @SuppressWarnings("unchecked")
    Map<String, Object> x =
        (Map<String, Object>) ChartOptions.histogram(histogram, "customers", 2).get("xAxis");
    assertEquals(List.of("< 1.00", "10.00–17.78", "17.78–31.62"), x.get("data"));
  }

  @Test
  void dataCannotEndTheScriptOrAddMarkup() {
    String json = ReportPage.scriptJson(Map.of("name", "</script><script>alert(1)</script>&"));
    assertFalse(json.contains("<") || json.contains(">") || json.contains("&"));
    assertEquals(
        "{\"name\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u0026\"}",
        json);
    assertEquals(
        "&lt;b title=&quot;x&quot;&gt;Tom&#39;s&lt;/b&gt; &amp;",
        ReportPage.escape("<b title=\"x\">Tom's</b> &"));
  }
}
