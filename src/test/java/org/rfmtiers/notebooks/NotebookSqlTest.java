package org.rfmtiers.notebooks;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rfmtiers.GeneratedWarehouse;
import org.rfmtiers.SparkTestSession;

/**
 * The analysts' notebooks must stay true to the schema: every SQL statement in notebooks/ runs
 * against a warehouse the job just wrote ({@link GeneratedWarehouse}: two snapshots), returns rows,
 * and returns the columns its {@code -- expect:} line promises.
 */
@Tag("integration")
@Tag("long")
class NotebookSqlTest {
  private static final Pattern SQL =
      Pattern.compile("spark\\.sql\\(f\"\"\"(.*?)\"\"\"\\)", Pattern.DOTALL);
  private static final Pattern EXPECT = Pattern.compile("-- expect: (.*)");

  static SparkSession spark;
  static String warehouse;

  @BeforeAll
  static void writeWarehouse() {
    spark = SparkTestSession.get();
    warehouse = GeneratedWarehouse.get().warehouse;
  }

  /** The SQL statements of a notebook's code cells (JSON strings of source lines, unescaped). */
  static List<String> statements(Path notebook) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(notebook.toFile());
    List<String> found = new ArrayList<>();
    for (var cell : json.get("cells")) {
      if (!"code".equals(cell.get("cell_type").asText())) {
        continue;
      }
      StringBuilder source = new StringBuilder();
      cell.get("source").forEach(line -> source.append(line.asText()));
      Matcher m = SQL.matcher(source);
      while (m.find()) {
        found.add(m.group(1));
      }
    }
    return found;
  }

  @Test
  void everyNotebookQueryRunsAgainstTheJobsTables() throws Exception {
    List<Path> notebooks;
    try (Stream<Path> files = Files.list(Path.of("notebooks"))) {
      notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertEquals(4, notebooks.size(), "tier overview, segment drill-down, CLV, migration");
    int checked = 0;
    for (Path notebook : notebooks) {
      List<String> queries = statements(notebook);
      assertFalse(queries.isEmpty(), notebook + " has SQL");
      for (String query : queries) {
        Matcher expect = EXPECT.matcher(query);
        assertTrue(
            expect.find(), notebook + ": every query states its columns with -- expect:\n" + query);
        List<String> columns = Arrays.stream(expect.group(1).split(",")).map(String::trim).toList();
        Dataset<Row> result = spark.sql(query.replace("{WAREHOUSE}", warehouse));
        assertEquals(columns, List.of(result.columns()), notebook + "\n" + query);
        assertTrue(result.count() > 0, notebook + " returned no rows:\n" + query);
        checked++;
      }
    }
    assertEquals(13, checked);
  }
}
