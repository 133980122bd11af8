package org.rfmtiers.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.rfmtiers.config.SegmentSettings.Language;

/**
 * Everything a person reads (the report, the console summary, the warnings and errors a user acts
 * on), one catalog per display language: {@code org/rfmtiers/text/texts_<language>.properties},
 * UTF-8. Codes and column names are not here: they stay English and stable. A key missing in a
 * catalog is an error, never a silent fall back to the other language ({@code TextsTest} checks
 * both catalogs have the same keys and the same placeholders).
 */
public final class Texts {
  private static final Map<Language, Texts> LOADED = new EnumMap<>(Language.class);

  private final Language language;
  private final Properties catalog;
  private final DateTimeFormatter dates;

  private Texts(Language language, Properties catalog) {
    this.language = language;
    this.catalog = catalog;
    this.dates = DateTimeFormatter.ofPattern(get("format.date"), Locale.ROOT);
  }

  public static synchronized Texts of(Language language) {
    return LOADED.computeIfAbsent(language, l -> new Texts(l, load(resource(l))));
  }

  /** The catalog's resource path for a language. */
  public static String resource(Language language) {
    return "org/rfmtiers/text/texts_" + language.name().toLowerCase(Locale.ROOT) + ".properties";
  }

  static Properties load(String resource) {
    try (InputStream in = Texts.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("text catalog " + resource + " is not on the class path");
      }
      Properties properties = new Properties();
      properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      return properties;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The BCP 47 tag for the page's {@code lang} attribute: en, zh-CN. */
  public String htmlLang() {
    return get("html.lang");
  }

  /** The text of {@code key}. */
  public String get(String key) {
    String text = catalog.getProperty(key);
    if (text == null) {
      throw new IllegalStateException(
          "no text \"" + key + "\" in " + resource(language) + " (add it to every catalog)");
    }
    return text;
  }

  /**
   * The label of a code that comes from data (a reject reason, a k selection): the text of {@code
   * prefix.code}, or the code itself when the catalog has none.
   */
  public String label(String prefix, String code) {
    return code == null ? "" : catalog.getProperty(prefix + "." + code, code);
  }

  /** The text of {@code key} with its {@code %s}, {@code %,d} … filled (numbers as in en). */
  public String format(String key, Object... args) {
    return String.format(Locale.ROOT, get(key), args);
  }

  /** A date as the language writes it: 2026-01-01, 2026年1月1日. */
  public String date(LocalDate date) {
    return date == null ? "" : dates.format(date);
  }

  /**
   * {@code text} padded with spaces to {@code width} terminal columns, counting East Asian wide
   * characters as two, so console tables line up in Chinese too.
   */
  public static String pad(String text, int width) {
    String s = text == null ? "" : text;
    return s + spaces(s, width);
  }

  /** {@code text} right-aligned in {@code width} terminal columns, as {@link #pad} counts them. */
  public static String padStart(String text, int width) {
    String s = text == null ? "" : text;
    return spaces(s, width) + s;
  }

  private static String spaces(String text, int width) {
    return " ".repeat(Math.max(0, width - columns(text)));
  }

  /**
   * Terminal columns of {@code text}: CJK ideographs, kana, Hangul and full-width forms take two.
   */
  public static int columns(String text) {
    int columns = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      columns += wide(cp) ? 2 : 1;
      i += Character.charCount(cp);
    }
    return columns;
  }

  private static boolean wide(int cp) {
    return (cp >= 0x1100 && cp <= 0x115F)
        || (cp >= 0x2E80 && cp <= 0xA4CF)
        || (cp >= 0xAC00 && cp <= 0xD7A3)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0xFE30 && cp <= 0xFE4F)
        || (cp >= 0xFF00 && cp <= 0xFF60)
        || (cp >= 0xFFE0 && cp <= 0xFFE6)
        || (cp >= 0x20000 && cp <= 0x3FFFD);
  }
}
