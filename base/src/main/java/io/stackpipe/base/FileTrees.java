package io.stackpipe.base;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Recursive deletion, the one way every module removes a folder it made. */
public final class FileTrees {

  private FileTrees() {
  }

  /**
   * Deletes {@code root} and everything below it, without following symbolic links; a missing root, or entries
   * that vanish meanwhile (a concurrent cleanup), are fine.
   */
  public static void delete(Path root) {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException gone) {
      // removed by someone else while we walked
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root + ": " + Messages.firstLine(e), e);
    }
  }

  /** Like {@link #delete} but never throws: for cleanup paths that must not hide the original failure. */
  public static void deleteQuietly(Path root) {
    try {
      delete(root);
    } catch (UncheckedIOException ignored) {
      // best effort
    }
  }
}
