package org.rfmtiers.report;

import static org.rfmtiers.report.ChartOptions.obj;
import static org.rfmtiers.report.ChartOptions.percent;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.rfmtiers.report.AnalystFigures.CohortCell;
import org.rfmtiers.report.AnalystFigures.RfCell;
import org.rfmtiers.report.AnalystFigures.TierClv;
import org.rfmtiers.report.AnalystFigures.TrendPoint;
import org.rfmtiers.report.ReportFigures.SegmentFigures;
import org.rfmtiers.report.ReportFigures.TierFigures;
import org.rfmtiers.text.Texts;

/**
 * ECharts options of the analyst charts: the R x F grid, the segment treemap, the loyalty x value
 * quadrants, the tiers over time, CLV per tier and the cohort triangle and curve. Plain maps and
 * lists, as {@link ChartOptions}.
 */
final class AnalystCharts {
  private AnalystCharts() {}

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  private static Map<String, Object> grid(int bottom) {
    return obj("left", 8, "right", 16, "top", 36, "bottom", bottom, "containLabel", true);
  }

  private static Map<String, Object> heatmap(
      List<String> x,
      List<String> y,
      List<Object> data,
      double max,
      String series,
      boolean labels,
      String xName,
      String yName) {
    return obj(
        "animation",
        false,
        "tooltip",
        obj("position", "top"),
        "grid",
        obj("left", 24, "right", 16, "top", 16, "bottom", 36, "containLabel", true),
        "xAxis",
        obj(
            "type",
            "category",
            "data",
            x,
            "name",
            xName,
            "nameLocation",
            "middle",
            "nameGap",
            24,
            "splitArea",
            obj("show", true)),
        "yAxis",
        obj(
            "type",
            "category",
            "data",
            y,
            "name",
            yName,
            "nameLocation",
            "middle",
            "nameGap",
            52,
            "splitArea",
            obj("show", true)),
        // the cells carry their numbers; the colour only guides the eye, so no legend takes room
        "visualMap",
        obj(
            "show",
            false,
            "min",
            0,
            "max",
            max,
            "inRange",
            obj("color", List.of("#eef4fb", "#6d8fb8"))),
        "series",
        List.of(
            obj(
                "name",
                series,
                "type",
                "heatmap",
                "data",
                data,
                "label",
                obj("show", labels, "fontSize", 10))));
  }

  /** Customers (or revenue) per r_score x f_score: where the base sits and where value sits. */
  static Map<String, Object> rfGrid(List<RfCell> cells, boolean revenue, Texts t) {
    List<String> scores = List.of("1", "2", "3", "4", "5");
    List<Object> data = new ArrayList<>();
    double max = 1;
    for (RfCell c : cells) {
      double v = revenue ? round(c.revenue().doubleValue(), 0) : c.customers();
      data.add(List.of(c.f() - 1, c.r() - 1, v));
      max = Math.max(max, v);
    }
    return heatmap(
        scores,
        scores,
        data,
        max,
        t.get(revenue ? "series.revenue" : "series.customers"),
        true,
        t.get("axis.f-score"),
        t.get("axis.r-score"));
  }

  /** The RFM segments as rectangles sized by customers, labelled with their revenue share. */
  static Map<String, Object> segmentTreemap(List<SegmentFigures> segments, Texts t) {
    List<Object> data = new ArrayList<>();
    for (SegmentFigures s : segments) {
      data.add(
          obj(
              "name",
              t.format("label.treemap", s.name(), 100 * s.customerShare(), 100 * s.revenueShare()),
              "value",
              s.customers()));
    }
    return obj(
        "animation",
        false,
        "tooltip",
        obj("formatter", "{b}"),
        "series",
        List.of(
            obj(
                "type",
                "treemap",
                "roam",
                false,
                "nodeClick",
                false,
                "breadcrumb",
                obj("show", false),
                "width",
                "100%",
                "height",
                "100%",
                "label",
                obj("show", true, "formatter", "{b}", "overflow", "break"),
                "data",
                data)));
  }

  /**
   * The loyalty x value quadrants as a 2 x 2 grid: loyalty across, value up; each cell named, with
   * its customer and revenue share, shaded by customers.
   */
  static Map<String, Object> quadrants(List<SegmentFigures> quadrants, Texts t) {
    Map<String, int[]> position =
        Map.of(
            "STRANGER", new int[] {0, 0},
            "BARNACLE", new int[] {1, 0},
            "BUTTERFLY", new int[] {0, 1},
            "TRUE_FRIEND", new int[] {1, 1});
    List<Object> data = new ArrayList<>();
    double max = 1;
    for (SegmentFigures s : quadrants) {
      int[] xy = position.get(s.code());
      if (xy == null) {
        continue;
      }
      data.add(
          obj(
              "name",
              t.format("label.treemap", s.name(), 100 * s.customerShare(), 100 * s.revenueShare()),
              "value",
              List.of(xy[0], xy[1], s.customers())));
      max = Math.max(max, s.customers());
    }
    Map<String, Object> option =
        heatmap(
            List.of(t.get("axis.loyalty-low"), t.get("axis.loyalty-high")),
            List.of(t.get("axis.value-low"), t.get("axis.value-high")),
            data,
            max,
            t.get("series.customers"),
            true,
            t.get("axis.loyalty"),
            t.get("axis.value"));
    @SuppressWarnings("unchecked")
    Map<String, Object> series = (Map<String, Object>) ((List<Object>) option.get("series")).get(0);
    series.put("label", obj("show", true, "formatter", "{b}", "fontSize", 12, "color", "#1f2d3d"));
    option.put("tooltip", obj("formatter", "{b}"));
    return option;
  }

  /** Customers (or revenue) per tier at every snapshot of the warehouse, one line a tier. */
  static Map<String, Object> trend(List<TrendPoint> points, boolean revenue, Texts t) {
    TreeSet<LocalDate> dates = new TreeSet<>();
    Map<Integer, String> names = new TreeMap<>();
    Map<Integer, Map<LocalDate, Double>> byTier = new TreeMap<>();
    for (TrendPoint p : points) {
      dates.add(p.date());
      names.put(p.tier(), p.tier() + " " + p.name()); // the latest name of the tier
      byTier
          .computeIfAbsent(p.tier(), k -> new TreeMap<>())
          .put(p.date(), revenue ? round(p.revenue().doubleValue(), 0) : p.customers());
    }
    List<Object> series = new ArrayList<>();
    byTier.forEach(
        (tier, values) -> {
          List<Object> data = new ArrayList<>();
          dates.forEach(d -> data.add(values.get(d)));
          series.add(
              obj(
                  "name",
                  names.get(tier),
                  "type",
                  "line",
                  "symbolSize",
                  7,
                  "connectNulls",
                  false,
                  "data",
                  data));
        });
    return obj(
        "animation",
        false,
        "tooltip",
        obj("trigger", "axis"),
        "legend",
        obj("top", 0, "type", "scroll"),
        "grid",
        grid(8),
        "xAxis",
        obj("type", "category", "data", dates.stream().map(t::date).toList()),
        "yAxis",
        obj("type", "value"),
        "series",
        series);
  }

  /** Mean CLV over the horizon per tier. */
  static Map<String, Object> clvByTier(List<TierClv> clv, List<TierFigures> tiers, Texts t) {
    Map<Integer, String> names = new LinkedHashMap<>();
    tiers.forEach(tier -> names.put(tier.tier(), ChartOptions.tierLabel(tier)));
    List<String> labels = new ArrayList<>();
    List<Object> means = new ArrayList<>();
    for (TierClv c : clv) {
      labels.add(names.getOrDefault(c.tier(), String.valueOf(c.tier())));
      means.add(round(c.mean(), 2));
    }
    return obj(
        "animation",
        false,
        "tooltip",
        obj("trigger", "axis"),
        "grid",
        grid(8),
        "xAxis",
        obj(
            "type",
            "category",
            "data",
            labels,
            "axisLabel",
            obj("interval", 0, "hideOverlap", true)),
        "yAxis",
        obj("type", "value"),
        "series",
        List.of(
            obj(
                "name",
                t.get("series.mean-clv"),
                "type",
                "bar",
                "data",
                means,
                "label",
                obj("show", true, "position", "top"))));
  }

  /**
   * The cohort triangle: retention (%) per acquisition month (down) and months since (across);
   * labels when there are few enough cohorts to read them.
   */
  static Map<String, Object> cohortTriangle(List<CohortCell> cells, Texts t) {
    TreeSet<LocalDate> cohorts = new TreeSet<>();
    int months = 0;
    for (CohortCell c : cells) {
      cohorts.add(c.cohort());
      months = Math.max(months, c.months());
    }
    List<LocalDate> order = new ArrayList<>(cohorts);
    List<Object> data = new ArrayList<>();
    for (CohortCell c : cells) {
      if (c.months() == 0) {
        continue; // 100 % by definition; it would only stretch the colour scale
      }
      data.add(List.of(c.months() - 1, order.indexOf(c.cohort()), percent(c.rate())));
    }
    List<String> x = new ArrayList<>();
    for (int m = 1; m <= Math.max(months, 1); m++) {
      x.add(String.valueOf(m));
    }
    double max = 1;
    for (Object d : data) {
      max = Math.max(max, ((Number) ((List<?>) d).get(2)).doubleValue());
    }
    Map<String, Object> option =
        heatmap(
            x,
            order.stream().map(d -> d.toString().substring(0, 7)).toList(),
            data,
            max,
            t.get("series.retention-percent"),
            cohorts.size() <= 18 && months <= 18,
            t.get("axis.months-since-first"),
            "");
    @SuppressWarnings("unchecked")
    Map<String, Object> yAxis = (Map<String, Object>) option.get("yAxis");
    yAxis.put("inverse", true);
    return option;
  }

  /**
   * Observed retention against BG/NBD's expected active share by months since the first purchase:
   * each the customer-weighted mean over the cohorts whose month is complete.
   */
  static Optional<Map<String, Object>> cohortCurve(List<CohortCell> cells, Texts t) {
    Map<Integer, double[]> byMonth = new TreeMap<>(); // customers, active, expected x customers
    boolean expected = false;
    for (CohortCell c : cells) {
      if (c.months() == 0 || !c.complete()) {
        continue;
      }
      double[] sums = byMonth.computeIfAbsent(c.months(), m -> new double[3]);
      sums[0] += c.cohortCustomers();
      sums[1] += c.active();
      if (c.expected() != null) {
        sums[2] += c.expected() * c.cohortCustomers();
        expected = true;
      }
    }
    if (byMonth.isEmpty()) {
      return Optional.empty();
    }
    List<String> x = new ArrayList<>();
    List<Object> observed = new ArrayList<>();
    List<Object> model = new ArrayList<>();
    byMonth.forEach(
        (m, sums) -> {
          x.add(String.valueOf(m));
          observed.add(percent(sums[1] / sums[0]));
          model.add(percent(sums[2] / sums[0]));
        });
    List<Object> series = new ArrayList<>();
    series.add(
        obj("name", t.get("series.observed"), "type", "line", "symbolSize", 6, "data", observed));
    if (expected) {
      series.add(
          obj(
              "name",
              t.get("series.expected"),
              "type",
              "line",
              "symbolSize",
              6,
              "lineStyle",
              obj("type", "dashed"),
              "data",
              model));
    }
    return Optional.of(
        obj(
            "animation",
            false,
            "tooltip",
            obj("trigger", "axis"),
            "legend",
            obj("top", 0),
            "grid",
            grid(24),
            "xAxis",
            obj(
                "type",
                "category",
                "data",
                x,
                "name",
                t.get("axis.months-since-first"),
                "nameLocation",
                "middle",
                "nameGap",
                24),
            "yAxis",
            obj("type", "value", "axisLabel", obj("formatter", "{value} %")),
            "series",
            series));
  }
}
