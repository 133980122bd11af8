package org.rfmtiers.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a run's report page to {@code <dir>/<snapshot_date>/index.html} on any Hadoop file system.
 * The page is written to a hidden temporary file first and renamed over the old one, so a reader
 * (or a web server publishing the folder) never sees half a page.
 */
public final class ReportFiles {
  private ReportFiles() {}

  /** Writes the page and returns its qualified location. */
  public static String write(Configuration hadoop, String dir, LocalDate snapshot, String html) {
    Path folder = new Path(dir.replaceAll("/+$", "") + "/" + snapshot);
    Path target = new Path(folder, "index.html");
    Path temporary = new Path(folder, ".index.html." + UUID.randomUUID() + ".tmp");
    try {
      FileSystem fs = folder.getFileSystem(hadoop);
      fs.mkdirs(folder);
      try (OutputStream out = fs.create(temporary, false)) {
        out.write(html.getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(temporary, target)) {
        throw new IOException("could not rename " + temporary + " to " + target);
      }
      return fs.makeQualified(target).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the report to "
              + target
              + ": "
              + e.getMessage()
              + " (set report.dir to a writable folder, or report.enabled = false)",
          e);
    }
  }
}
