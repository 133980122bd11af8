package org.rfmtiers.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags the job runs with live in bin/ (the launcher and bench read them) and in pom.xml
 * (the test JVM): they must agree.
 */
class LauncherConsistencyTest {
  @Test
  void pomAndLauncherPassTheSameJvmOptions() throws Exception {
    List<String> launcher = launcherOptions("bin/jvm-options");
    assertEquals(launcher, pomProperty("spark.jvm.opens"));
    assertTrue(launcher.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
  }

  @Test
  void pomAndLauncherSetTheSameJitThresholds() throws Exception {
    List<String> launcher = launcherOptions("bin/jit-options");
    assertEquals(launcher, pomProperty("jit.options"));
    assertTrue(launcher.contains("-XX:Tier4InvocationThreshold=20000"));
  }

  /** The file's options, one a line, without comments and blank lines, sorted. */
  private static List<String> launcherOptions(String file) throws IOException {
    return Files.readAllLines(Path.of(file)).stream()
        .map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .sorted()
        .toList();
  }

  /** The options of a pom.xml property, sorted. */
  private static List<String> pomProperty(String name) throws IOException {
    Matcher m =
        Pattern.compile(
                "<" + Pattern.quote(name) + ">(.*?)</" + Pattern.quote(name) + ">", Pattern.DOTALL)
            .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), name + " is not a property of pom.xml");
    return Arrays.stream(m.group(1).trim().split("\\s+")).sorted().toList();
  }
}
