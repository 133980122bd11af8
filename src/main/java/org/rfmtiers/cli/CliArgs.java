package org.rfmtiers.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.rfmtiers.config.SettingsException;

/**
 * The parsed command line: a command, its {@code --name value} options and repeated {@code --set}
 * pairs.
 */
record CliArgs(String command, Map<String, String> options, Map<String, String> sets) {
  /** Options that take no value: present means "true" ({@code --name=false} turns one off). */
  static final Set<String> FLAGS = Set.of("incremental", "retrain");

  static CliArgs parse(String[] args, Map<String, Set<String>> optionsByCommand) {
    if (args.length == 0) {
      throw new SettingsException("no command given; run `rfm-tiers help`");
    }
    String command = args[0];
    Set<String> allowed = optionsByCommand.get(command);
    if (allowed == null) {
      throw new SettingsException(
          "unknown command \"" + command + "\"; commands: " + optionsByCommand.keySet());
    }
    Map<String, String> options = new LinkedHashMap<>();
    Map<String, String> sets = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      String name;
      String value;
      if (arg.startsWith("--") && arg.contains("=") && !arg.startsWith("--set")) {
        name = arg.substring(2, arg.indexOf('='));
        value = arg.substring(arg.indexOf('=') + 1);
      } else if (arg.startsWith("--") && FLAGS.contains(arg.substring(2))) {
        name = arg.substring(2);
        value = "true";
      } else if (arg.startsWith("--")) {
        name = arg.substring(2);
        if (i + 1 >= rest.size()) {
          throw new SettingsException("option --" + name + " needs a value");
        }
        value = rest.get(++i);
      } else {
        throw new SettingsException(
            "unexpected argument \"" + arg + "\" for " + command + "; options: " + allowed);
      }
      if (name.equals("set") && allowed.contains("set")) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
          throw new SettingsException("--set takes key=value, got \"" + value + "\"");
        }
        sets.put(value.substring(0, eq).trim(), value.substring(eq + 1));
      } else if (allowed.contains(name)) {
        options.put(name, value);
      } else {
        throw new SettingsException(
            "unknown option --"
                + name
                + " for "
                + command
                + "; options: "
                + allowed.stream().map(o -> "--" + o).toList());
      }
    }
    return new CliArgs(command, options, sets);
  }

  boolean flag(String name) {
    String value = options.getOrDefault(name, "false");
    if (!value.equals("true") && !value.equals("false")) {
      throw new SettingsException(
          "--" + name + " takes no value (or =true / =false), got \"" + value + "\"");
    }
    return value.equals("true");
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  long longOption(String name, long fallback) {
    String value = options.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new SettingsException("--" + name + " must be a whole number, got \"" + value + "\"");
    }
  }

  long requiredLong(String name) {
    if (!options.containsKey(name)) {
      throw new SettingsException("--" + name + " is required for " + command);
    }
    return longOption(name, 0);
  }
}
