package io.stackpipe.local;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tools installed by scripts/setup.d under ~/.cache/stackpipe: the pinned sops and Helm CLIs and the moto
 * server venv. Missing tools fail loudly with the command that installs them.
 */
public final class LocalTools {
  private LocalTools() {
  }

  public static Path cacheDir() {
    return Path.of(System.getProperty("user.home"), ".cache", "stackpipe");
  }

  /** The real sops binary (SOPS_BIN overrides). */
  public static Path sops() {
    String env = System.getenv("SOPS_BIN");
    return require(env != null && !env.isBlank() ? Path.of(env) : cacheDir().resolve("bin/sops"));
  }

  /** The real Helm CLI, the version helm-java embeds (scripts/setup.d/25-helm-cli.sh). */
  public static Path helm() {
    Path helm = cacheDir().resolve("bin/helm");
    if (!Files.isExecutable(helm)) {
      throw new IllegalStateException(helm + " is missing: run scripts/setup (scripts/setup.d/25-helm-cli.sh)");
    }
    return helm;
  }

  public static Path motoServer() {
    return require(cacheDir().resolve("moto/bin/moto_server"));
  }

  /** Debian's age CLI. */
  public static Path age() {
    return require(Path.of("/usr/bin/age"));
  }

  private static Path require(Path p) {
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(p + " is missing: run scripts/setup (scripts/setup.d/20-secrets-tools.sh)");
    }
    return p;
  }
}
