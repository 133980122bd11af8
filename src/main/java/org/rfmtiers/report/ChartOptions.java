package org.rfmtiers.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.rfmtiers.report.ReportFigures.Histogram;
import org.rfmtiers.report.ReportFigures.MigrationCell;
import org.rfmtiers.report.ReportFigures.SegmentFigures;
import org.rfmtiers.report.ReportFigures.Spread;
import org.rfmtiers.report.ReportFigures.TierFigures;
import org.rfmtiers.text.Texts;

/**
 * Apache ECharts option objects for the report's charts, as plain maps and lists (serialised to
 * JSON by {@link ReportPage}). Only data and declarative options: no JavaScript functions, so no
 * text from the tables ever becomes code.
 */
final class ChartOptions {
  private ChartOptions() {}

  static Map<String, Object> obj(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  static double percent(double share) {
    return Math.round(share * 1000) / 10.0;
  }

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  private static Map<String, Object> base(
      Object xAxis, Object yAxis, List<Object> series, boolean legend) {
    Map<String, Object> option =
        obj(
            "animation",
            false,
            "tooltip",
            obj("trigger", "axis"),
            "grid",
            obj("left", 8, "right", 16, "top", legend ? 36 : 16, "bottom", 8, "containLabel", true),
            "xAxis",
            xAxis,
            "yAxis",
            yAxis,
            "series",
            series);
    if (legend) {
      option.put("legend", obj("top", 0));
    }
    return option;
  }

  private static Map<String, Object> category(List<String> names) {
    return obj(
        "type", "category", "data", names, "axisLabel", obj("interval", 0, "hideOverlap", true));
  }

  /**
   * The category axis of horizontal bars: the first category on top (ECharts draws the first at the
   * bottom).
   */
  private static Map<String, Object> topDown(List<String> names) {
    Map<String, Object> axis = category(names);
    axis.put("inverse", true);
    return axis;
  }

  private static Map<String, Object> value(String unit) {
    return obj("type", "value", "axisLabel", obj("formatter", "{value}" + unit));
  }

  private static Map<String, Object> bar(String name, List<?> data) {
    return obj("name", name, "type", "bar", "data", data);
  }

  static String tierLabel(TierFigures t) {
    return t.tier() + " " + t.name();
  }

  /** Share of customers and of revenue per tier, side by side. */
  static Map<String, Object> tierShares(List<TierFigures> tiers, Texts t) {
    List<String> names = tiers.stream().map(ChartOptions::tierLabel).toList();
    return base(
        category(names),
        value(" %"),
        shareBars(
            tiers.stream().map(TierFigures::customerShare).toList(),
            tiers.stream().map(TierFigures::revenueShare).toList(),
            t),
        true);
  }

  /** Two bar series: the share of customers and the share of revenue, in percent. */
  private static List<Object> shareBars(
      List<Double> customerShares, List<Double> revenueShares, Texts t) {
    return List.of(
        bar(
            t.get("series.customers-percent"),
            customerShares.stream().map(ChartOptions::percent).toList()),
        bar(
            t.get("series.revenue-percent"),
            revenueShares.stream().map(ChartOptions::percent).toList()));
  }

  /** One metric's p5 / p25 / median / p75 / p95 per tier as a box plot. */
  static Map<String, Object> spreadByTier(
      List<TierFigures> tiers,
      Function<TierFigures, Spread> metric,
      String unit,
      Texts t,
      boolean logScale) {
    List<Object> boxes = new ArrayList<>();
    for (TierFigures tier : tiers) {
      Spread s = metric.apply(tier);
      boxes.add(
          s == null
              ? List.of()
              : List.of(
                  round(s.p5(), 2),
                  round(s.p25(), 2),
                  round(s.median(), 2),
                  round(s.p75(), 2),
                  round(s.p95(), 2)));
    }
    // a log axis needs every value above 0 (monetary under the net returns policy may not be)
    boolean log = logScale && tiers.stream().map(metric).allMatch(s -> s == null || s.p5() > 0);
    Map<String, Object> axis = value(unit);
    if (log) {
      axis.put("type", "log");
    }
    Map<String, Object> option =
        base(
            category(tiers.stream().map(ChartOptions::tierLabel).toList()),
            axis,
            List.of(obj("name", t.get("series.spread"), "type", "boxplot", "data", boxes)),
            false);
    option.put("tooltip", obj("trigger", "item"));
    return option;
  }

  /**
   * Snake plot: each tier's k-means centre per metric, on a log scale and standardised across tiers
   * (recency negated so that up is better for all three).
   */
  static Map<String, Object> snake(List<TierFigures> tiers, Texts texts) {
    double[][] centres = new double[tiers.size()][3];
    for (int i = 0; i < tiers.size(); i++) {
      TierFigures t = tiers.get(i);
      centres[i] =
          new double[] {
            -Math.log1p(t.centreRecencyDays()),
            Math.log1p(t.centreFrequency()),
            Math.log1p(Math.max(0, t.centreMonetary()))
          };
    }
    for (int metric = 0; metric < 3; metric++) {
      double mean = 0;
      for (double[] c : centres) {
        mean += c[metric] / centres.length;
      }
      double variance = 0;
      for (double[] c : centres) {
        variance += (c[metric] - mean) * (c[metric] - mean) / centres.length;
      }
      double sd = Math.sqrt(variance);
      for (double[] c : centres) {
        c[metric] = sd == 0 ? 0 : round((c[metric] - mean) / sd, 3);
      }
    }
    List<Object> series = new ArrayList<>();
    for (int i = 0; i < tiers.size(); i++) {
      series.add(
          obj(
              "name",
              tierLabel(tiers.get(i)),
              "type",
              "line",
              "symbolSize",
              8,
              "data",
              List.of(centres[i][0], centres[i][1], centres[i][2])));
    }
    return base(
        category(
            List.of(
                texts.get("axis.recency-inverted"),
                texts.get("axis.frequency"),
                texts.get("axis.monetary"))),
        obj("type", "value"),
        series,
        true);
  }

  /** Silhouette of every candidate k; the chosen k drawn larger and in red. */
  static Map<String, Object> silhouette(Map<Integer, Double> byK, int chosenK, Texts t) {
    List<Object> points = new ArrayList<>();
    for (Map.Entry<Integer, Double> e : byK.entrySet()) {
      double s = round(e.getValue(), 4);
      points.add(
          e.getKey() == chosenK
              ? obj("value", s, "symbolSize", 14, "itemStyle", obj("color", "#c0392b"))
              : obj("value", s));
    }
    return base(
        category(byK.keySet().stream().map(k -> t.format("axis.k", k)).toList()),
        obj("type", "value", "scale", true),
        List.of(
            obj(
                "name",
                t.get("series.silhouette"),
                "type",
                "line",
                "symbolSize",
                8,
                "data",
                points)),
        false);
  }

  /**
   * Share of customers and revenue per segment of one scheme, as horizontal bars in the given order
   * (top first).
   */
  static Map<String, Object> segmentShares(List<SegmentFigures> segments, Texts t) {
    return base(
        value(" %"),
        topDown(segments.stream().map(SegmentFigures::name).toList()),
        shareBars(
            segments.stream().map(SegmentFigures::customerShare).toList(),
            segments.stream().map(SegmentFigures::revenueShare).toList(),
            t),
        true);
  }

  /**
   * The customer pyramid: layers from VIP (top) to SMALL, labelled with their customer and revenue
   * shares.
   */
  static Map<String, Object> pyramid(List<SegmentFigures> layers, List<String> topDown, Texts t) {
    List<Object> data = new ArrayList<>();
    for (int i = 0; i < topDown.size(); i++) {
      String code = topDown.get(i);
      Optional<SegmentFigures> layer =
          layers.stream().filter(s -> s.code().equals(code)).findFirst();
      if (layer.isEmpty()) {
        continue;
      }
      SegmentFigures s = layer.get();
      data.add(
          obj(
              "value",
              i + 1,
              "name",
              t.format(
                  "label.pyramid", s.name(), 100 * s.customerShare(), 100 * s.revenueShare())));
    }
    return obj(
        "animation",
        false,
        "tooltip",
        obj("trigger", "item", "formatter", "{b}"),
        "series",
        List.of(
            obj(
                "type",
                "funnel",
                "sort",
                "ascending",
                "left",
                "2%",
                "width",
                "45%",
                "gap",
                2,
                "label",
                obj("position", "right", "formatter", "{b}"),
                "data",
                data)));
  }

  /** Customers from each previous tier (or new) to each current tier (or lost), as a heat map. */
  static Map<String, Object> migration(
      List<MigrationCell> cells, List<TierFigures> tiers, Texts t) {
    int maxTier = tiers.stream().mapToInt(TierFigures::tier).max().orElse(0);
    for (MigrationCell c : cells) {
      maxTier =
          Math.max(
              maxTier,
              Math.max(
                  c.fromTier() == null ? 0 : c.fromTier(), c.toTier() == null ? 0 : c.toTier()));
    }
    List<String> from = new ArrayList<>();
    List<String> to = new ArrayList<>();
    for (int tier = 1; tier <= maxTier; tier++) {
      from.add(t.format("axis.was-tier", tier));
      to.add(t.format("axis.tier", tier));
    }
    from.add(t.get("axis.new"));
    to.add(t.get("axis.lost"));
    List<Object> data = new ArrayList<>();
    long max = 1;
    for (MigrationCell c : cells) {
      int x = c.toTier() == null ? maxTier : c.toTier() - 1;
      int y = c.fromTier() == null ? maxTier : c.fromTier() - 1;
      data.add(List.of(x, y, c.customers()));
      max = Math.max(max, c.customers());
    }
    return obj(
        "animation",
        false,
        "tooltip",
        obj("position", "top"),
        "grid",
        obj("left", 8, "right", 16, "top", 16, "bottom", 56, "containLabel", true),
        "xAxis",
        obj("type", "category", "data", to, "splitArea", obj("show", true)),
        "yAxis",
        obj("type", "category", "data", from, "inverse", true, "splitArea", obj("show", true)),
        "visualMap",
        obj(
            "min",
            0,
            "max",
            max,
            "calculable",
            true,
            "orient",
            "horizontal",
            "left",
            "center",
            "bottom",
            0,
            "itemHeight",
            120),
        "series",
        List.of(
            obj(
                "name",
                t.get("series.customers"),
                "type",
                "heatmap",
                "data",
                data,
                "label",
                obj("show", true))));
  }

  /** Customers per bin; bins labelled by their range. */
  static Map<String, Object> histogram(Histogram h, String seriesName, int digits) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < h.counts().size(); i++) {
      labels.add(
          h.lowerBounds().get(i) < 0
              ? "< " + format(h.upperBounds().get(i), digits)
              : format(h.lowerBounds().get(i), digits)
                  + "–"
                  + format(h.upperBounds().get(i), digits));
    }
    Map<String, Object> option =
        base(
            obj("type", "category", "data", labels),
            obj("type", "value"),
            List.of(
                obj("name", seriesName, "type", "bar", "barCategoryGap", "5%", "data", h.counts())),
            false);
    return option;
  }

  private static String format(double value, int digits) {
    if (value >= 10_000) {
      return String.format(Locale.ROOT, "%.3g", value);
    }
    return String.format(Locale.ROOT, "%." + digits + "f", value);
  }

  /** Rows read by outcome: valid, after the snapshot date, and each reject reason (log scale). */
  static Map<String, Object> dataQuality(
      ReportFigures.RunFigures run, Map<String, Long> rejectsByReason, Texts t) {
    List<String> names = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    names.add(t.get("axis.valid-in-snapshot"));
    values.add(
        obj("value", run.rowsValid() - run.rowsAfterAsOf(), "itemStyle", obj("color", "#27ae60")));
    if (run.rowsAfterAsOf() > 0) {
      names.add(t.get("axis.valid-after-snapshot"));
      values.add(obj("value", run.rowsAfterAsOf(), "itemStyle", obj("color", "#95a5a6")));
    }
    rejectsByReason.forEach(
        (reason, count) -> {
          names.add(t.format("axis.rejected", t.label("reason", reason)));
          values.add(obj("value", count, "itemStyle", obj("color", "#c0392b")));
        });
    Map<String, Object> option =
        base(
            obj("type", "log", "min", 1),
            topDown(names),
            List.of(
                obj(
                    "name",
                    t.get("series.rows"),
                    "type",
                    "bar",
                    "data",
                    values,
                    "label",
                    obj("show", true, "position", "right"))),
            false);
    option.put(
        "grid",
        obj(
            "left",
            8,
            "right",
            64,
            "top",
            16,
            "bottom",
            8,
            "containLabel",
            true)); // room for the labels
    return option;
  }

  /** Wall time per stage in seconds. */
  static Map<String, Object> stageTimes(Map<String, Long> stageMillis, Texts t) {
    List<String> names = new ArrayList<>();
    List<Object> seconds = new ArrayList<>();
    stageMillis.forEach(
        (stage, millis) -> {
          names.add(t.label("stage", stage));
          seconds.add(round(millis / 1000.0, 1));
        });
    return base(
        value(" s"),
        topDown(names),
        List.of(
            obj(
                "name",
                t.get("series.seconds"),
                "type",
                "bar",
                "data",
                seconds,
                "label",
                obj("show", true, "position", "right"))),
        false);
  }
}
