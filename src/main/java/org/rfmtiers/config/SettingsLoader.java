package org.rfmtiers.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the HOCON defaults ({@code conf/rfm-tiers.conf}, packaged in the jar), layers an optional
 * user file and {@code --set key=value} overrides on top, rejects unknown keys, and builds {@link
 * JobSettings}.
 */
public final class SettingsLoader {
  /** Subtrees whose keys are free-form (passed through to Spark). */
  private static final List<String> OPEN_SUBTREES = List.of("spark.conf");

  private static final Pattern HOCON_LITERAL =
      Pattern.compile(
          "^(\\[.*\\]|\\{.*\\}|\".*\"|null|true|false|-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?)$",
          Pattern.DOTALL);

  private SettingsLoader() {}

  /** The packaged defaults alone. */
  public static Config defaults() {
    return ConfigFactory.parseResources(
        SettingsLoader.class.getClassLoader(),
        "rfm-tiers.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /**
   * Layers {@code configFile} (may be null) and {@code overrides} over the defaults and validates
   * the result.
   */
  public static JobSettings load(File configFile, Map<String, String> overrides) {
    Config defaults = defaults();
    TreeSet<String> known = leafPaths(defaults.root(), "");
    Config layered = defaults;
    boolean amountGiven = false;
    if (configFile != null) {
      if (!configFile.isFile()) {
        throw new SettingsException("config file " + configFile + " does not exist");
      }
      Config user;
      try {
        user =
            ConfigFactory.parseFile(
                configFile, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new SettingsException(
            "cannot parse config file " + configFile + ": " + e.getMessage());
      }
      checkKnown(user, known, "config file " + configFile);
      amountGiven = user.hasPathOrNull(AMOUNT_KEY);
      layered = user.withFallback(layered);
    }
    Config sets = ConfigFactory.empty();
    for (Map.Entry<String, String> set : overrides.entrySet()) {
      sets = sets.withValue(set.getKey(), parseOverride(set.getKey(), set.getValue()));
    }
    checkKnown(sets, known, "--set");
    amountGiven |= sets.hasPathOrNull(AMOUNT_KEY);
    layered = sets.withFallback(layered).resolve();
    try {
      return build(layered, amountGiven);
    } catch (ConfigException.WrongType e) {
      throw new SettingsException(e.getMessage());
    }
  }

  private static ConfigValue parseOverride(String key, String value) {
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      throw new SettingsException(
          "--set " + key + "=" + value + ": \"" + key + "\" is not a config key");
    }
    String trimmed = value.trim();
    if (HOCON_LITERAL.matcher(trimmed).matches()) {
      try {
        return ConfigFactory.parseString("v = " + trimmed).getValue("v");
      } catch (ConfigException.Null e) {
        return ConfigFactory.parseString("v = null").root().get("v");
      } catch (ConfigException e) {
        throw new SettingsException(
            "--set " + key + "=" + value + ": cannot parse the value: " + e.getMessage());
      }
    }
    return ConfigValueFactory.fromAnyRef(value, "--set " + key);
  }

  private static void checkKnown(Config user, TreeSet<String> known, String origin) {
    for (String path : leafPaths(user.root(), "")) {
      boolean open =
          OPEN_SUBTREES.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "."));
      if (!open && !known.contains(path)) {
        String parent = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
        List<String> siblings =
            known.stream().filter(k -> k.startsWith(parent + ".")).limit(40).toList();
        throw new SettingsException(
            "unknown config key \""
                + path
                + "\" in "
                + origin
                + (siblings.isEmpty() ? "" : "; keys under " + parent + ": " + siblings)
                + " (see conf/rfm-tiers.conf for every key)");
      }
    }
  }

  /** Every leaf path (including null-valued ones, which Config#entrySet skips). */
  private static TreeSet<String> leafPaths(ConfigObject object, String prefix) {
    TreeSet<String> paths = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String path =
          prefix.isEmpty()
              ? ConfigUtil.joinPath(entry.getKey())
              : prefix + "." + ConfigUtil.joinPath(entry.getKey());
      ConfigValue value = entry.getValue();
      if (value.valueType() == ConfigValueType.OBJECT && !((ConfigObject) value).isEmpty()) {
        paths.addAll(leafPaths((ConfigObject) value, path));
      } else {
        paths.add(path);
      }
    }
    return paths;
  }

  /**
   * @param amountGiven input.columns.amount was set by the user (config file or --set), not left at
   *     its default
   */
  private static JobSettings build(Config c, boolean amountGiven) {
    InputSettings.ColumnMapping columns =
        new InputSettings.ColumnMapping(
            requiredString(c, "input.columns.customer-id"),
            optionalString(c, "input.columns.order-id"),
            requiredString(c, "input.columns.order-ts"),
            amount(c, amountGiven),
            optionalString(c, "input.columns.quantity"),
            optionalString(c, "input.columns.unit-price"),
            optionalString(c, "input.columns.transaction-id"));
    InputSettings input =
        new InputSettings(
            optionalString(c, "input.uri"),
            requiredString(c, "input.format").toLowerCase(Locale.ROOT),
            c.getBoolean("input.header"),
            requiredString(c, "input.delimiter"),
            requiredString(c, "input.timestamp-format"),
            requiredString(c, "input.time-zone"),
            c.getInt("input.amount-scale"),
            columns,
            optionalString(c, "input.cancellation.order-id-prefix").filter(s -> !s.isEmpty()),
            c.getBoolean("input.cancellation.negative-amount"),
            enumValue(InputSettings.Anonymous.class, c, "input.anonymous"));
    ValidationSettings validation =
        new ValidationSettings(
            c.getDouble("validation.max-reject-rate"),
            date(c, "validation.min-date"),
            c.getInt("validation.max-future-days"));
    ScoreSettings scores =
        new ScoreSettings(
            cuts(c, "scores.thresholds.recency"),
            cuts(c, "scores.thresholds.frequency"),
            cuts(c, "scores.thresholds.monetary"));
    TierSettings tiers =
        new TierSettings(
            tierK(c),
            c.getInt("tiers.k-min"),
            c.getInt("tiers.k-max"),
            c.getLong("tiers.seed"),
            c.getInt("tiers.max-iterations"),
            c.getInt("tiers.selection-sample-size"),
            c.getDouble("tiers.min-cluster-share"),
            c.getDouble("tiers.winsorize-quantile"),
            enumValue(TierSettings.TierOrder.class, c, "tiers.order-by"),
            c.getStringList("tiers.names"),
            enumValue(TierSettings.Naming.class, c, "tiers.naming"),
            profileNames(c),
            c.getInt("tiers.retrain-after-days"),
            c.getDouble("tiers.drift.max-psi"),
            c.getDouble("tiers.drift.max-cost-ratio"),
            c.getInt("tiers.drift.min-customers"),
            c.getDouble("tiers.match-max-distance"));
    ClvSettings clv =
        new ClvSettings(
            c.getBoolean("clv.enabled"),
            enumValue(ClvSettings.TimeUnit.class, c, "clv.time-unit"),
            ClvSettings.Horizon.parse("clv.horizon", requiredString(c, "clv.horizon")),
            c.getDouble("clv.discount-rate"),
            c.getDouble("clv.margin"),
            c.getDouble("clv.penalizer"),
            c.getInt("clv.min-customers"),
            c.getInt("clv.min-repeat-customers"),
            c.getInt("clv.max-evaluations"),
            c.getLong("clv.max-groups"));
    SegmentSettings segments =
        new SegmentSettings(
            displayLanguage(c),
            enumValue(SegmentSettings.Reference.class, c, "segments.reference"),
            enumValue(SegmentSettings.PyramidBy.class, c, "segments.pyramid.by"),
            c.getDoubleList("segments.pyramid.shares"),
            c.getInt("segments.matrix.current-window-days"),
            enumValue(SegmentSettings.MatrixSplit.class, c, "segments.matrix.reference"),
            c.getDouble("segments.matrix.high-share"),
            new SegmentSettings.Lifecycle(
                c.getInt("segments.lifecycle.exploration-days"),
                c.getInt("segments.lifecycle.trend-window-days"),
                c.getDouble("segments.lifecycle.rising-ratio"),
                c.getDouble("segments.lifecycle.falling-ratio"),
                c.getDouble("segments.lifecycle.decline-gap-multiple"),
                c.getDouble("segments.lifecycle.churn-gap-multiple"),
                c.getInt("segments.lifecycle.churn-days")),
            new SegmentSettings.Quadrants(
                enumValue(SegmentSettings.QuadrantValue.class, c, "segments.quadrants.value-by"),
                enumValue(
                    SegmentSettings.MatrixSplit.class, c, "segments.quadrants.value-reference"),
                c.getDouble("segments.quadrants.value-high-share"),
                c.getDouble("segments.quadrants.loyalty-cut"),
                c.getInt("segments.quadrants.tenure-full-days")),
            labels(c.getConfig("segments.labels")));
    ChurnSettings churn =
        new ChurnSettings(
            c.getDouble("churn.alert-p-alive"),
            c.getDouble("churn.alert-drop"),
            c.getDouble("churn.overdue-gap-multiple"));
    if (tiers.naming() == TierSettings.Naming.PROFILE) {
      for (Map.Entry<String, String> e : tiers.profileNames().entrySet()) {
        if (!segments.labels().getOrDefault("tier", Map.of()).containsKey(e.getValue())) {
          throw new SettingsException(
              "tiers.profile-names."
                  + e.getKey()
                  + " = "
                  + e.getValue()
                  + " has no label: add segments.labels.tier."
                  + e.getValue()
                  + " { en = \"...\", zh = \"...\" }");
        }
      }
    }
    Map<String, String> sparkConf = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : c.getConfig("spark.conf").root().entrySet()) {
      sparkConf.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    return new JobSettings(
        input,
        enumValue(ReturnsPolicy.class, c, "returns.policy"),
        enumValue(FrequencyBasis.class, c, "features.frequency-basis"),
        validation,
        scores,
        tiers,
        clv,
        segments,
        churn,
        requiredString(c, "output.warehouse"),
        c.getInt("output.lock-timeout-minutes"),
        optionalString(c, "output.catalog-database"),
        new MaintenanceSettings(
            c.getIsNull("maintenance.snapshot-retention-days")
                ? OptionalInt.empty()
                : OptionalInt.of(c.getInt("maintenance.snapshot-retention-days")),
            c.getInt("maintenance.vacuum-retention-hours"),
            c.getBoolean("maintenance.zorder")),
        new ReportSettings(
            c.getBoolean("report.enabled"),
            optionalString(c, "report.dir"),
            c.getInt("report.top-customers")),
        requiredString(c, "spark.master"),
        sparkConf);
  }

  private static final String AMOUNT_KEY = "input.columns.amount";

  /**
   * The amount column: none (amount = quantity x unit price) when quantity and unit price are both
   * mapped and the amount is left at its default; an explicit amount beside them is an error, since
   * one of the two would be silently ignored.
   */
  private static Optional<String> amount(Config c, boolean amountGiven) {
    Optional<String> amount = optionalString(c, AMOUNT_KEY);
    boolean parts =
        optionalString(c, "input.columns.quantity").isPresent()
            && optionalString(c, "input.columns.unit-price").isPresent();
    if (!parts) {
      return amount;
    }
    if (amountGiven && amount.isPresent()) {
      throw new SettingsException(
          "input.columns.amount = \""
              + amount.get()
              + "\" and input.columns.quantity / unit-price are all set: map either the amount"
              + " column or quantity and unit price (amount = quantity x unit price), not both");
    }
    return Optional.empty();
  }

  private static Map<String, String> profileNames(Config c) {
    Map<String, String> names = new LinkedHashMap<>();
    Config table = c.getConfig("tiers.profile-names");
    for (String key : table.root().keySet()) {
      String profile = key.trim().toUpperCase(Locale.ROOT);
      if (!profile.matches("[HML]{3}")) {
        throw new SettingsException(
            "tiers.profile-names." + key + ": a key is three of H, M, L (R, F, M), e.g. HHH");
      }
      names.put(profile, table.getString(key).trim());
    }
    return names;
  }

  private static Map<String, Map<String, SegmentSettings.Label>> labels(Config labels) {
    Map<String, Map<String, SegmentSettings.Label>> schemes = new LinkedHashMap<>();
    for (String scheme : labels.root().keySet()) {
      Map<String, SegmentSettings.Label> codes = new LinkedHashMap<>();
      Config byCode = labels.getConfig(scheme);
      for (String code : byCode.root().keySet()) {
        Config label = byCode.getConfig(code);
        codes.put(
            code,
            new SegmentSettings.Label(
                label.getString("en"),
                label.getString("zh"),
                label.hasPath("action-en") ? label.getString("action-en") : null,
                label.hasPath("action-zh") ? label.getString("action-zh") : null));
      }
      schemes.put(scheme, codes);
    }
    return schemes;
  }

  private static String requiredString(Config c, String path) {
    if (c.getIsNull(path)) {
      throw new SettingsException(path + " must be set");
    }
    return c.getString(path);
  }

  private static Optional<String> optionalString(Config c, String path) {
    return c.getIsNull(path) ? Optional.empty() : Optional.of(c.getString(path));
  }

  private static LocalDate date(Config c, String path) {
    String text = requiredString(c, path);
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new SettingsException(path + " = \"" + text + "\" is not a date (YYYY-MM-DD)");
    }
  }

  private static Optional<List<Double>> cuts(Config c, String path) {
    if (c.getIsNull(path)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ArrayList<>(c.getDoubleList(path)));
    } catch (ConfigException.WrongType e) {
      throw new SettingsException(path + " must be a list of four numbers or null");
    }
  }

  private static OptionalInt tierK(Config c) {
    String k = requiredString(c, "tiers.k").trim();
    if (k.equalsIgnoreCase("auto")) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(k));
    } catch (NumberFormatException e) {
      throw new SettingsException("tiers.k = \"" + k + "\" must be \"auto\" or a whole number");
    }
  }

  /** display.language when set, else segments.language. */
  private static SegmentSettings.Language displayLanguage(Config c) {
    return c.getString("display.language").isBlank()
        ? enumValue(SegmentSettings.Language.class, c, "segments.language")
        : enumValue(SegmentSettings.Language.class, c, "display.language");
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, Config c, String path) {
    String text = requiredString(c, path);
    String constant = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E value : type.getEnumConstants()) {
      if (value.name().equals(constant)) {
        return value;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E value : type.getEnumConstants()) {
      allowed.add(value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw new SettingsException(path + " = \"" + text + "\" is not one of " + allowed);
  }
}
