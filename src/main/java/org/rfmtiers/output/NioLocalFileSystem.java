package org.rfmtiers.output;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without child processes. Without Hadoop's native library (the ordinary
 * case for an embedded or pip-installed Spark), {@link RawLocalFileSystem} sets a file's
 * permissions by running {@code chmod} and reads a link by running {@code readlink}: about 430
 * processes for one small run of this job, since every Delta commit and Parquet file takes a few.
 * Here both go through java.nio instead, with the same result; everything else is Hadoop's.
 *
 * <p>Installed for {@code file:} paths by {@code SparkSessions} ({@code fs.file.impl} for the
 * FileSystem API, {@code fs.AbstractFileSystem.file.impl} for the FileContext API that Delta's log
 * store uses). Where the JVM has no POSIX file attributes, Hadoop's own way is used.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) file system with java.nio permissions and links. */
  static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      java.nio.file.Path file = pathToFile(p).toPath();
      try {
        Files.setPosixFilePermissions(
            file,
            PosixFilePermissions.fromString(
                permission.getUserAction().SYMBOL
                    + permission.getGroupAction().SYMBOL
                    + permission.getOtherAction().SYMBOL));
      } catch (UnsupportedOperationException e) {
        super.setPermission(p, permission);
      }
    }

    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      java.nio.file.Path file = pathToFile(f).toPath();
      if (!Files.isSymbolicLink(file)) {
        return getFileStatus(f); // not a link: its own status, as Hadoop returns it
      }
      return super.getFileLinkStatus(f);
    }
  }

  /** The same for Hadoop's FileContext API ({@code fs.AbstractFileSystem.file.impl}). */
  public static final class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** The raw FileContext file system over {@link Raw}. */
  static final class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, "file", false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1; // no port, as Hadoop's local file system
    }

    @Override
    @SuppressWarnings("deprecation")
    public FsServerDefaults getServerDefaults() throws IOException {
      return fsImpl.getServerDefaults();
    }

    @Override
    public FsServerDefaults getServerDefaults(Path f) throws IOException {
      return fsImpl.getServerDefaults(f);
    }

    @Override
    public boolean isValidName(String src) {
      return true; // any local path, as Hadoop's local file system
    }
  }
}
