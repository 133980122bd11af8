package org.rfmtiers.text;

import static org.junit.jupiter.api.Assertions.*;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.rfmtiers.config.SegmentSettings.Language;

class TextsTest {
  private static final Pattern PLACEHOLDER =
      Pattern.compile("%[-#+0,(<]*\\d*(\\.\\d+)?[sdf]"); // not "80 % by": text
  private static final Pattern HAN = Pattern.compile("\\p{IsHan}");

  /** Texts that are the same in Chinese: a language tag and a formula. */
  private static final Set<String> NOT_TRANSLATED = Set.of("html.lang", "axis.k");

  @Test
  void everyKeyIsInEveryLanguageWithTheSamePlaceholders() {
    Properties en = Texts.load(Texts.resource(Language.EN));
    Properties zh = Texts.load(Texts.resource(Language.ZH));
    Set<String> onlyEn = new TreeSet<>(en.stringPropertyNames());
    onlyEn.removeAll(zh.stringPropertyNames());
    Set<String> onlyZh = new TreeSet<>(zh.stringPropertyNames());
    onlyZh.removeAll(en.stringPropertyNames());
    assertEquals(Set.of(), onlyEn, "keys missing in texts_zh.properties");
    assertEquals(Set.of(), onlyZh, "keys missing in texts_en.properties");
    assertTrue(en.size() >= 150, "the catalogs hold the report and the console: " + en.size());
    for (String key : en.stringPropertyNames()) {
      assertEquals(
          placeholders(en.getProperty(key)),
          placeholders(zh.getProperty(key)),
          "placeholders of " + key);
    }
  }

  @Test
  void theChineseCatalogIsChinese() {
    Properties en = Texts.load(Texts.resource(Language.EN));
    Properties zh = Texts.load(Texts.resource(Language.ZH));
    List<String> english = new ArrayList<>();
    for (String key : zh.stringPropertyNames()) {
      if (!NOT_TRANSLATED.contains(key) && !HAN.matcher(zh.getProperty(key)).find()) {
        english.add(key + " = " + zh.getProperty(key));
      }
      if (key.startsWith("reason.") || key.startsWith("column.") || key.startsWith("stage.")) {
        assertNotEquals(en.getProperty(key), zh.getProperty(key), key);
      }
    }
    assertEquals(List.of(), english, "zh texts without Chinese");
  }

  @Test
  void textsFormatAndDatesFollowTheLanguage() {
    Texts en = Texts.of(Language.EN);
    Texts zh = Texts.of(Language.ZH);
    LocalDate day = LocalDate.of(2026, 1, 1);
    assertEquals(
        "Customer value report — snapshot 2026-01-01", en.format("report.heading", en.date(day)));
    assertEquals("客户价值报告 — 快照日 2026年1月1日", zh.format("report.heading", zh.date(day)));
    assertEquals(
        "VIP: 1.0 % of customers, 12.5 % of revenue", en.format("label.pyramid", "VIP", 1.0, 12.5));
    assertEquals("贵宾客户：客户 1.0 %，收入 12.5 %", zh.format("label.pyramid", "贵宾客户", 1.0, 12.5));
    assertEquals(
        "  rows read 1,234, valid 1,200, rejected 34 {}, on/after snapshot 0",
        en.format("console.rows", 1234L, 1200L, 34L, "{}", 0L));
    assertEquals("缺少客户编号", zh.label("reason", "MISSING_CUSTOMER_ID"));
    assertEquals("SOMETHING_NEW", zh.label("reason", "SOMETHING_NEW"), "an unknown code as itself");
    IllegalStateException missing =
        assertThrows(IllegalStateException.class, () -> zh.get("no.such.key"));
    assertTrue(missing.getMessage().contains("texts_zh.properties"), missing.getMessage());
  }

  @Test
  void consoleColumnsCountChineseAsTwo() {
    assertEquals(8, Texts.columns("冠军客户"));
    assertEquals(9, Texts.columns("Champions"));
    assertEquals(6, Texts.columns("张三 A"));
    assertEquals("冠军客户  |", Texts.pad("冠军客户", 10) + "|");
    assertEquals("Champions |", Texts.pad("Champions", 10) + "|");
    assertEquals("Champions", Texts.pad("Champions", 4), "never cut");
  }

  private static List<String> placeholders(String text) {
    List<String> found = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }
}
