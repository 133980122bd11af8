package org.rfmtiers.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BG/NBD + Gamma-Gamma settings. The model's time unit and the prediction horizon are separate, and
 * the horizon always carries its own unit ("12 months", "39 weeks", "365 days"), so a weekly fit
 * never reads a bare "12" as twelve weeks.
 */
public record ClvSettings(
    boolean enabled,
    TimeUnit timeUnit,
    Horizon horizon,
    double annualDiscountRate,
    double margin,
    double penalizer,
    int minCustomers,
    int minRepeatCustomers,
    int maxEvaluations,
    long maxGroups) {

  /** The unit in which t_x, T and the model's rates are measured. */
  public enum TimeUnit {
    DAYS(1),
    WEEKS(7);

    private final int days;

    TimeUnit(int days) {
      this.days = days;
    }

    public double days() {
      return days;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ClvSettings {
    if (!(annualDiscountRate >= 0 && annualDiscountRate < 10)) {
      throw new SettingsException(
          "clv.discount-rate = " + annualDiscountRate + " must be an annual rate in [0, 10)");
    }
    if (!(margin > 0 && margin <= 1)) {
      throw new SettingsException("clv.margin = " + margin + " must be in (0, 1]");
    }
    if (!(penalizer >= 0)) {
      throw new SettingsException("clv.penalizer = " + penalizer + " must be 0 or more");
    }
    if (maxEvaluations < 100 || maxGroups < 1000 || minCustomers < 2 || minRepeatCustomers < 2) {
      throw new SettingsException(
          "clv.max-evaluations >= 100, clv.max-groups >= 1000, clv.min-customers >= 2"
              + " and clv.min-repeat-customers >= 2 are required");
    }
  }

  /**
   * A length of time with its unit, e.g. "12 months". Months are 365.25 / 12 days, years 365.25
   * days.
   */
  public record Horizon(double amount, String unit) {
    private static final Pattern TEXT =
        Pattern.compile(
            "^\\s*(\\d+(?:\\.\\d+)?)\\s*(day|days|d|week|weeks|w|month|months|m|year|years|y)\\s*$");

    public static Horizon parse(String key, String text) {
      Matcher m = TEXT.matcher(text.toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new SettingsException(
            key
                + " = \""
                + text
                + "\" must be a number with its unit, e.g. \"12 months\", \"39 weeks\", \"365 days\", \"1 year\"");
      }
      double amount = Double.parseDouble(m.group(1));
      if (amount <= 0) {
        throw new SettingsException(key + " = \"" + text + "\" must be positive");
      }
      String unit =
          switch (m.group(2).charAt(0)) {
            case 'd' -> "d";
            case 'w' -> "w";
            case 'm' -> "m";
            default -> "y";
          };
      return new Horizon(amount, unit);
    }

    public double days() {
      return amount
          * switch (unit) {
            case "d" -> 1.0;
            case "w" -> 7.0;
            case "m" -> 365.25 / 12;
            default -> 365.25;
          };
    }

    /** The column-name suffix: "12m", "39w", "365d", "1y" (decimals with "_": "1_5y"). */
    public String label() {
      String number =
          amount == Math.rint(amount)
              ? String.valueOf((long) amount)
              : String.valueOf(amount).replace('.', '_');
      return number + unit;
    }
  }
}
