package io.stackpipe.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Private copies of the repository's examples for fixtures. */
public final class TestFiles {

  private TestFiles() {
  }

  /** Copies the tree at {@code source} to {@code target} (created), files and folders alike. */
  public static Path copyTree(Path source, Path target) {
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : walk.toList()) {
        Path to = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a tree if it exists. */
}
