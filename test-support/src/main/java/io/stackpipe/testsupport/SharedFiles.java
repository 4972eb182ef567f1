package io.stackpipe.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the project's read-only shared/ folder (e.g. the SOPS conformance vectors): system property
 * {@code stackpipe.shared.dir}, else environment {@code STACKPIPE_SHARED_DIR}, else {@code <repo root>/../shared} with the
 * repo root from the surefire property {@code stackpipe.repo.root}. {@link #require} fails loudly when a file is
 * missing; {@link #find} is for extra suites that run only where shared/ exists (and say so when it does not).
 */
public final class SharedFiles {
  private SharedFiles() {
  }

  public static Path dir() {
    String prop = System.getProperty("stackpipe.shared.dir");
    String env = System.getenv("STACKPIPE_SHARED_DIR");
    Path dir;
    if (prop != null && !prop.isBlank()) {
      dir = Path.of(prop);
    } else if (env != null && !env.isBlank()) {
      dir = Path.of(env);
    } else {
      String root = System.getProperty("stackpipe.repo.root");
      if (root == null) {
        throw new IllegalStateException("cannot locate shared/: set -Dstackpipe.shared.dir, STACKPIPE_SHARED_DIR or stackpipe.repo.root");
      }
      dir = Path.of(root).resolve("../shared").normalize();
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("shared/ folder not found at " + dir.toAbsolutePath()
          + " (set -Dstackpipe.shared.dir or STACKPIPE_SHARED_DIR)");
    }
    return dir;
  }

  /** A path under shared/ that must exist. */
  public static Path require(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.exists(p)) {
      throw new IllegalStateException("shared fixture missing: " + p.toAbsolutePath());
    }
    return p;
  }

  /** A path under shared/, if shared/ and the path exist. */
  public static Optional<Path> find(String relative) {
    try {
      return Optional.of(dir().resolve(relative)).filter(Files::exists);
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }
}
