package io.stackpipe;

import io.stackpipe.base.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A folder under {@code java.io.tmpdir} that only this user can enter (0700), for one operation's files,
 * deleted with everything in it on {@link #close()}: use it in try-with-resources so failures clean up too.
 */
public final class PrivateTempDir implements AutoCloseable {

  private final Path path;

  private PrivateTempDir(Path path) {
    this.path = path;
  }

  public static PrivateTempDir create(String prefix) {
    return create(Optional.empty(), prefix);
  }

  /** A private folder under {@code parent}, else under {@code java.io.tmpdir}. */
  public static PrivateTempDir create(Optional<Path> parent, String prefix) {
    FileAttribute<?> owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    try {
      return new PrivateTempDir(parent.isPresent() ? Files.createTempDirectory(parent.get(), prefix, owner)
          : Files.createTempDirectory(prefix, owner));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a private temporary folder", e);
    }
  }

  public Path path() {
    return path;
  }

  /** Creates an empty file readable only by this user (0600). */
  public Path newFile(String name) throws IOException {
    return Files.createFile(path.resolve(name),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /** Deletes the folder and its content; best effort, since only this user can read what might remain. */
  @Override
  public void close() {
    FileTrees.deleteQuietly(path);
  }
}
