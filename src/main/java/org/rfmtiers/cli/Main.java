package org.rfmtiers.cli;

import static org.rfmtiers.Columns.*;

import java.io.File;
import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.rfmtiers.config.JobSettings;
import org.rfmtiers.config.SegmentSettings;
import org.rfmtiers.config.SettingsException;
import org.rfmtiers.config.SettingsLoader;
import org.rfmtiers.generate.TransactionGenerator;
import org.rfmtiers.ingest.InputException;
import org.rfmtiers.job.ClvEvaluationJob;
import org.rfmtiers.job.JobFailure;
import org.rfmtiers.job.MaintenanceJob;
import org.rfmtiers.job.NightlyJob;
import org.rfmtiers.job.NightlyJob.RunOptions;
import org.rfmtiers.job.ReportJob;
import org.rfmtiers.job.RunResult;
import org.rfmtiers.text.Texts;

/**
 * The command line: {@code run} (the nightly job), {@code generate} (a synthetic log) and {@code
 * demo} (both, on a small sample). The same class is the spark-submit main class.
 *
 * <p>Exit codes: 0 success; 1 the run failed (reject threshold, reconciliation, Spark error); 2 bad
 * command line or configuration; 3 unusable input (missing path or column).
 */
public final class Main {
  public static final int OK = 0;
  public static final int RUN_FAILED = 1;
  public static final int USAGE = 2;
  public static final int BAD_INPUT = 3;

  /** Set on Databricks Runtime clusters (its value is the runtime version). */
  static final String DATABRICKS_RUNTIME = "DATABRICKS_RUNTIME_VERSION";

  private static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "run",
              Set.of(
                  "config",
                  "input",
                  "input-format",
                  "warehouse",
                  "as-of",
                  "set",
                  "report-dir",
                  "catalog",
                  "incremental",
                  "retrain"),
          "report", Set.of("config", "warehouse", "as-of", "set", "report-dir"),
          "generate", Set.of("customers", "transactions", "out", "seed", "format"),
          "demo", Set.of("dir", "customers", "transactions", "set"),
          "maintain", Set.of("config", "warehouse", "set"),
          "evaluate-clv",
              Set.of(
                  "config", "input", "input-format", "set", "calibration-end", "observation-end"),
          "help", Set.of());

  private static final String USAGE_TEXT =
      """
      usage:
        rfm-tiers run [--config FILE] [--input URI] [--input-format csv|parquet|delta|text] [--warehouse DIR]
                      [--as-of YYYY-MM-DD] [--report-dir DIR] [--catalog [CATALOG.]SCHEMA] [--incremental] [--retrain] [--set key=value]...
            --retrain: train the value-tier model again (choosing k again) instead of reusing the kept one
            --incremental: read only the input files that are new since the last incremental run and fold
            them into the state kept in the warehouse (the first such run, or one after the settings or an
            old file changed, reads everything and builds the state)
        rfm-tiers report [--config FILE] [--warehouse DIR] [--as-of YYYY-MM-DD] [--report-dir DIR] [--set key=value]...
        rfm-tiers generate --customers N --transactions M --out DIR [--seed S] [--format csv|parquet]
        rfm-tiers demo [--dir DIR] [--customers N] [--transactions M] [--set key=value]...
        rfm-tiers maintain [--config FILE] [--warehouse DIR] [--set key=value]...
        rfm-tiers evaluate-clv --calibration-end YYYY-MM-DD --observation-end YYYY-MM-DD [--config FILE]
                      [--input URI] [--input-format F] [--set key=value]...
      Settings and their defaults: conf/rfm-tiers.conf. Exit codes: 0 ok, 1 run failed, 2 usage or config, 3 bad input.
      """;

  private final PrintStream out;
  private final PrintStream err;

  /** English until the settings are read; then their display language. */
  private Texts texts = Texts.of(SegmentSettings.Language.EN);

  Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    int code = execute(args, System.out, System.err);
    if (System.getenv(DATABRICKS_RUNTIME) != null) {
      // A Databricks JAR task runs main inside the cluster's own driver, whose Spark context is
      // shared: stopping it or exiting the JVM breaks the run; a failed run is an exception there.
      if (code != OK) {
        throw new IllegalStateException(
            "rfm-tiers failed with exit code "
                + code
                + " (the reason is on stderr and in run_log)");
      }
      return;
    }
    SparkSession.getActiveSession()
        .foreach(
            session -> {
              session.stop();
              return null;
            });
    System.exit(code);
  }

  /** Runs a command and returns its exit code; never calls System.exit (tests call this). */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    return new Main(out, err).dispatch(args);
  }

  private int dispatch(String[] args) {
    try {
      CliArgs cli = CliArgs.parse(args, OPTIONS);
      return switch (cli.command()) {
        case "run" -> run(cli);
        case "generate" -> generate(cli);
        case "demo" -> demo(cli);
        case "evaluate-clv" -> evaluateClv(cli);
        case "maintain" -> maintain(cli);
        case "report" -> report(cli);
        default -> {
          out.print(USAGE_TEXT);
          yield OK;
        }
      };
    } catch (SettingsException e) {
      err.println("rfm-tiers: " + e.getMessage());
      err.print(USAGE_TEXT);
      return USAGE;
    } catch (InputException e) {
      err.println(texts.format("console.bad-input", e.getMessage()));
      return BAD_INPUT;
    } catch (JobFailure e) {
      err.println(texts.format("console.run-failed", e.getMessage()));
      return RUN_FAILED;
    } catch (RuntimeException e) {
      err.println(texts.format("console.run-failed", oneLine(e)));
      e.printStackTrace(err);
      return RUN_FAILED;
    }
  }

  private int run(CliArgs cli) {
    JobSettings settings = settings(cli);
    String input =
        settings
            .input()
            .uri()
            .orElseThrow(
                () -> new SettingsException("no input: give --input URI or set input.uri"));
    Optional<LocalDate> asOf = cli.option("as-of").map(text -> date("as-of", text));
    SparkSession spark = SparkSessions.forJob(settings);
    // the report is drawn from the run's own cached rows, before the run releases them
    List<Runnable> reportLines = new ArrayList<>();
    RunResult result =
        new NightlyJob(spark, settings, Clock.systemUTC())
            .run(
                RunOptions.of(input, asOf)
                    .withIncremental(cli.flag("incremental"))
                    .withRetrain(cli.flag("retrain")),
                published -> {
                  if (!settings.report().enabled()) {
                    return;
                  }
                  try {
                    String location = new ReportJob(spark, settings).write(published);
                    reportLines.add(() -> out.println(texts.format("console.report", location)));
                  } catch (RuntimeException e) {
                    // the tables are published and consistent; `rfm-tiers report` can redraw it
                    reportLines.add(
                        () ->
                            err.println(
                                texts.format(
                                    "console.report-failed", oneLine(e), published.snapshot())));
                  }
                });
    printResult(result);
    reportLines.forEach(Runnable::run);
    return OK;
  }

  private int report(CliArgs cli) {
    JobSettings settings = settings(cli);
    Optional<LocalDate> asOf = cli.option("as-of").map(text -> date("as-of", text));
    out.println(
        texts.format(
            "console.report", new ReportJob(SparkSessions.forJob(settings), settings).write(asOf)));
    return OK;
  }

  private int evaluateClv(CliArgs cli) {
    JobSettings settings = settings(cli);
    String input =
        settings
            .input()
            .uri()
            .orElseThrow(
                () -> new SettingsException("no input: give --input URI or set input.uri"));
    LocalDate calibrationEnd =
        date(
            "calibration-end",
            cli.option("calibration-end")
                .orElseThrow(
                    () -> new SettingsException("--calibration-end YYYY-MM-DD is required")));
    LocalDate observationEnd =
        date(
            "observation-end",
            cli.option("observation-end")
                .orElseThrow(
                    () -> new SettingsException("--observation-end YYYY-MM-DD is required")));
    if (!observationEnd.isAfter(calibrationEnd)) {
      throw new SettingsException("--observation-end must be after --calibration-end");
    }
    new ClvEvaluationJob(SparkSessions.forJob(settings), settings, Clock.systemUTC())
        .run(input, calibrationEnd, observationEnd, out);
    return OK;
  }

  private int maintain(CliArgs cli) {
    JobSettings settings = settings(cli);
    new MaintenanceJob(SparkSessions.forJob(settings), settings, Clock.systemUTC())
        .run()
        .forEach(out::println);
    return OK;
  }

  /** The command's settings; from here on the console speaks their display language. */
  private JobSettings settings(CliArgs cli) {
    JobSettings settings = loadSettings(cli);
    texts = Texts.of(settings.segments().language());
    return settings;
  }

  private static JobSettings loadSettings(CliArgs cli) {
    Map<String, String> overrides = new LinkedHashMap<>(cli.sets());
    cli.option("input").ifPresent(v -> overrides.put("input.uri", v));
    cli.option("input-format").ifPresent(v -> overrides.put("input.format", v));
    cli.option("warehouse").ifPresent(v -> overrides.put("output.warehouse", v));
    cli.option("report-dir").ifPresent(v -> overrides.put("report.dir", v));
    cli.option("catalog").ifPresent(v -> overrides.put("output.catalog-database", v));
    return SettingsLoader.load(cli.option("config").map(File::new).orElse(null), overrides);
  }

  private int generate(CliArgs cli) {
    long customers = cli.requiredLong("customers");
    long transactions = cli.requiredLong("transactions");
    String dir =
        cli.option("out")
            .orElseThrow(() -> new SettingsException("--out DIR is required for generate"));
    String format = cli.option("format").orElse("csv");
    SparkSession spark = SparkSessions.create("local[*]", Map.of());
    TransactionGenerator generator =
        new TransactionGenerator(customers, transactions, cli.longOption("seed", 42));
    generator.write(spark, dir, format);
    TransactionGenerator.Parameters p = generator.parameters();
    out.printf(
        Locale.ROOT,
        "wrote about %,d transaction lines of %,d customers to %s (%s), drawn from BG/NBD"
            + " r=%.3f alpha=%.3f a=%.3f b=%.3f (per day) and Gamma-Gamma p=%.2f q=%.2f gamma=%.2f%n",
        transactions,
        customers,
        dir,
        format,
        p.r(),
        p.alpha(),
        p.a(),
        p.b(),
        p.p(),
        p.q(),
        p.gamma());
    return OK;
  }

  private int demo(CliArgs cli) {
    String dir = cli.option("dir").orElse("demo");
    String input = new File(dir, "transactions").getPath();
    String warehouse = new File(dir, "warehouse").getPath();
    int generated =
        generate(
            CliArgs.parse(
                new String[] {
                  "generate",
                  "--customers",
                  String.valueOf(cli.longOption("customers", 20_000)),
                  "--transactions",
                  String.valueOf(cli.longOption("transactions", 150_000)),
                  "--out",
                  input
                },
                OPTIONS));
    if (generated != OK) {
      return generated;
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--input",
                input,
                "--warehouse",
                warehouse,
                "--set",
                "input.columns.quantity=quantity",
                "--set",
                "input.columns.unit-price=unit_price",
                "--set",
                "input.cancellation.order-id-prefix=C"));
    cli.sets().forEach((key, value) -> args.addAll(List.of("--set", key + "=" + value)));
    return run(CliArgs.parse(args.toArray(String[]::new), OPTIONS));
  }

  private void printResult(RunResult r) {
    Texts t = texts;
    out.println(t.format("console.run", r.runId(), t.date(r.snapshotDate()), r.mode()));
    out.println(
        t.format(
            "console.rows",
            r.rowsRead(),
            r.rowsValid(),
            r.rowsRejected(),
            r.rejectsByReason(),
            r.rowsAfterAsOf()));
    if (r.rowsAnonymous() > 0) {
      out.println(
          t.format("console.anonymous", r.rowsAnonymous(), r.anonymousAmount().toPlainString()));
    }
    out.println(
        t.format(
            "console.customers",
            r.customers(),
            r.k(),
            t.label("k-selection", r.kSelection()),
            r.silhouette() == null ? "" : t.format("kpi.silhouette", r.silhouette())));
    out.println(t.format("console.tier-model", r.tierModel()));
    out.println();
    out.printf(
        Locale.ROOT,
        "  %s %s %s %s %s %s %s %s %s%n",
        Texts.pad(t.get("console.column.tier"), 4),
        Texts.pad(t.get("console.column.name"), 20),
        Texts.pad(t.get("console.column.profile"), 7),
        Texts.padStart(t.get("console.column.customers"), 10),
        Texts.padStart(t.get("console.column.share"), 7),
        Texts.padStart(t.get("console.column.revenue"), 9),
        Texts.padStart(t.get("console.column.recency"), 11),
        Texts.padStart(t.get("console.column.frequency"), 10),
        Texts.padStart(t.get("console.column.monetary"), 10));
    for (Row row : r.tierSummary()) {
      out.printf(
          Locale.ROOT,
          "  %-4d %s %-7s %,10d %6.1f%% %8.1f%% %11.0f %10.1f %10.2f%n",
          row.getAs(TIER),
          Texts.pad(row.getAs(TIER_NAME), 20),
          "R" + row.getAs(R_LEVEL) + " F" + row.getAs(F_LEVEL) + " M" + row.getAs(M_LEVEL),
          row.<Long>getAs(CUSTOMERS),
          100 * row.<Double>getAs(CUSTOMER_SHARE),
          row.getAs(REVENUE_SHARE) == null ? 0.0 : 100 * row.<Double>getAs(REVENUE_SHARE),
          row.<Double>getAs(MEDIAN_RECENCY_DAYS),
          row.<Double>getAs(MEDIAN_FREQUENCY),
          row.<Number>getAs(MEDIAN_MONETARY).doubleValue());
    }
    out.println(t.get("console.legend"));
    if (r.clvSummary() != null) {
      out.println(t.format("console.clv", r.clvSummary()));
    }
    r.warnings().forEach(w -> out.println(t.format("console.warning", w)));
    out.println();
    out.println(t.format("console.tables", r.warehouse(), String.join(", ", NightlyJob.TABLES)));
    out.println(t.format("console.stage-ms", r.stageMillis()));
  }

  private static LocalDate date(String option, String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new SettingsException("--" + option + " \"" + text + "\" is not a date (YYYY-MM-DD)");
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
