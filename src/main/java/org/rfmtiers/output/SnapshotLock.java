package org.rfmtiers.output;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive claim on writing one snapshot, so two runs of the same snapshot started together
 * cannot interleave their table writes (each Delta commit is atomic, but a snapshot spans several
 * tables). The lock is a file {@code <warehouse>/_locks/snapshot=<date>.lock} created with
 * create-if-absent, which is atomic on local and HDFS file systems (not on S3-like object stores:
 * there, schedule runs of one snapshot one at a time). It records the run id, host, pid and start
 * time.
 *
 * <p>A lock is stale, and is taken over, when its process is gone (same host, pid no longer alive;
 * the case after a kill -9) or when it is older than the timeout (another host that died).
 */
public final class SnapshotLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotLock.class);
  private final FileSystem fs;
  private final Path path;

  private SnapshotLock(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
  }

  /** Thrown when another live run holds the snapshot. */
  public static class HeldException extends RuntimeException {
    public HeldException(String message) {
      super(message);
    }
  }

  public static SnapshotLock acquire(
      Configuration hadoop, String warehouse, LocalDate snapshot, String runId, Duration timeout) {
    return acquire(
        hadoop,
        new Path(warehouse + "/_locks/snapshot=" + snapshot + ".lock"),
        "snapshot " + snapshot,
        runId,
        timeout);
  }

  /**
   * The claim on the incremental state tables ({@code <warehouse>/_locks/state.lock}), which every
   * {@code run --incremental} updates whatever its snapshot date.
   */
  public static SnapshotLock acquireState(
      Configuration hadoop, String warehouse, String runId, Duration timeout) {
    return acquire(
        hadoop,
        new Path(warehouse + "/_locks/state.lock"),
        "the incremental state",
        runId,
        timeout);
  }

  private static SnapshotLock acquire(
      Configuration hadoop, Path path, String what, String runId, Duration timeout) {
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      for (int attempt = 0; attempt < 2; attempt++) {
        if (tryCreate(fs, path, runId)) {
          return new SnapshotLock(fs, path);
        }
        Properties holder = read(fs, path);
        if (holder == null) {
          continue; // released between our create and read: try again
        }
        String stale = staleness(holder, timeout);
        if (stale == null) {
          throw new HeldException(
              what
                  + " is being written by run "
                  + holder.getProperty("run_id")
                  + " (pid "
                  + holder.getProperty("pid")
                  + " on "
                  + holder.getProperty("host")
                  + ", since "
                  + holder.getProperty("started_at")
                  + "); this run wrote nothing. If that run is gone, delete "
                  + path);
        }
        LOG.warn(
            "taking over the lock of run {} on {}: {}", holder.getProperty("run_id"), what, stale);
        fs.delete(path, false);
      }
      throw new HeldException("could not lock " + what + " at " + path);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot lock " + what + " at " + path + ": " + e.getMessage(), e);
    }
  }

  private static boolean tryCreate(FileSystem fs, Path path, String runId) throws IOException {
    Properties p = new Properties();
    p.setProperty("run_id", runId);
    p.setProperty("host", host());
    p.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
    p.setProperty("started_at", Instant.now().toString());
    try (OutputStream out = createNew(fs, path)) {
      p.store(out, "rfm-tiers snapshot lock");
      return true;
    } catch (FileAlreadyExistsException | java.nio.file.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (fs.exists(path)) {
        return false; // some file systems report an existing file with a plain IOException
      }
      throw e;
    }
  }

  /**
   * Creates the file only if it does not exist, atomically. On the local file system Hadoop's
   * create-without-overwrite checks and then creates (two runs can both pass the check), so the
   * file is created with the operating system's create-new instead.
   */
  private static OutputStream createNew(FileSystem fs, Path path) throws IOException {
    if (!(fs instanceof LocalFileSystem)) {
      return fs.create(path, false);
    }
    File file = ((LocalFileSystem) fs).pathToFile(path);
    Files.createDirectories(file.toPath().getParent());
    return Files.newOutputStream(
        file.toPath(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  private static Properties read(FileSystem fs, Path path) throws IOException {
    Properties p = new Properties();
    try (InputStream in = fs.open(path)) {
      p.load(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
      return p;
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /** Why the holder is stale, or null when it may still be running. */
  private static String staleness(Properties holder, Duration timeout) {
    String started = holder.getProperty("started_at", "");
    try {
      if (Instant.parse(started).plus(timeout).isBefore(Instant.now())) {
        return "older than output.lock-timeout-minutes";
      }
    } catch (DateTimeParseException e) {
      return "unreadable lock file";
    }
    if (host().equals(holder.getProperty("host"))) {
      try {
        long pid = Long.parseLong(holder.getProperty("pid", "-1"));
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
          return "process " + pid + " is gone";
        }
      } catch (NumberFormatException e) {
        return "unreadable pid";
      }
    }
    return null;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }

  @Override
  public void close() {
    try {
      fs.delete(path, false);
    } catch (IOException e) {
      LOG.warn("could not release the snapshot lock {}: {}", path, e.getMessage());
    }
  }
}
