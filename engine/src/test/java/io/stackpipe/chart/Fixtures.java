package io.stackpipe.chart;

import io.stackpipe.testsupport.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

/** Copies of the repository's example services, so tests exercise what users see. */
final class Fixtures {

  private Fixtures() {
  }

  static Path repoRoot() {
    return Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
  }

  /** A private copy of examples/services/{name}. */
  static Path exampleService(String name, Path into) {
    Path target = into.resolve(name);
    return TestFiles.copyTree(repoRoot().resolve("examples/services").resolve(name), target);
  }

  /** A digest of every file's path and bytes under {@code root}: proves a refused build changed nothing. */
  static String treeDigest(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path p : walk.sorted().toList()) {
        sha.update(root.relativize(p).toString().getBytes());
        if (Files.isRegularFile(p)) {
          sha.update(Files.readAllBytes(p));
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
