package org.rfmtiers.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags Spark needs live in bin/jvm-options (launcher) and pom.xml (tests): they must
 * agree.
 */
class LauncherConsistencyTest {
  @Test
  void pomAndLauncherPassTheSameJvmOptions() throws Exception {
    List<String> launcher =
        Files.readAllLines(Path.of("bin/jvm-options")).stream()
            .map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .sorted()
            .toList();
    Matcher m =
        Pattern.compile("<spark.jvm.opens>(.*?)</spark.jvm.opens>", Pattern.DOTALL)
            .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find());
    List<String> pom = Arrays.stream(m.group(1).trim().split("\\s+")).sorted().toList();
    assertEquals(launcher, pom);
    assertTrue(launcher.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
  }
}
