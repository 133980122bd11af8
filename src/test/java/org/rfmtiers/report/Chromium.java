package org.rfmtiers.report;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Debian's headless Chromium, run as the machine's docs say (no background networking). */
final class Chromium {
  static final Path EXECUTABLE = Path.of("/usr/bin/chromium");

  private Chromium() {}

  /** Skips the test without Chromium, unless RFM_TIERS_REQUIRE_BROWSER is set (CI): then fails. */
  static void require() {
    if (!Files.isExecutable(EXECUTABLE)) {
      assertNull(
          System.getenv("RFM_TIERS_REQUIRE_BROWSER"),
          "install Debian's chromium (apt-get install chromium)");
      Assumptions.abort("no " + EXECUTABLE + ": install Debian's chromium to render the report");
    }
  }

  /** Runs Chromium with {@code args} and {@code environment} added; returns its standard output. */
  static String run(Path profile, Map<String, String> environment, String... args)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                EXECUTABLE.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=10000"));
    command.addAll(List.of(args));
    File err = File.createTempFile("chromium", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(err);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "chromium finished");
    assertEquals(0, process.exitValue(), Files.readString(err.toPath()));
    return out;
  }
}
