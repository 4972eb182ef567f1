package io.stackpipe.testsupport.registry;

import io.stackpipe.base.FileTrees;
import io.stackpipe.local.registry.LocalRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * A registry that requires authentication, with its one user {@value #USER} and a password that is a canary: a
 * test that uses it searches its logs, messages, results and files for {@link #password()} and fails on it. Either
 * Basic (htpasswd) or Bearer (behind a {@link TokenServer} granting pull and push).
 */
public final class PrivateRegistry implements AutoCloseable {

  public static final String USER = "ci";

  private final LocalRegistry registry;
  private final TokenServer tokens;
  private final Path files;
  private final String password;

  private PrivateRegistry(LocalRegistry registry, TokenServer tokens, Path files, String password) {
    this.registry = registry;
    this.tokens = tokens;
    this.files = files;
    this.password = password;
  }

  /** A registry answering {@code Basic realm=…}. */
  public static PrivateRegistry basic() {
    Path files = directory();
    String password = canary();
    return new PrivateRegistry(AuthRegistries.basic(Map.of(USER, password), files), null, files, password);
  }

  /** A registry answering {@code Bearer realm=…,service=…,scope=…}; its token server grants pull and push. */
  public static PrivateRegistry bearer() {
    Path files = directory();
    String password = canary();
    TokenServer tokens = TokenServer.start(files).withUser(USER, password, "pull", "push");
    return new PrivateRegistry(AuthRegistries.token(tokens), tokens, files, password);
  }

  private static Path directory() {
    try {
      return Files.createTempDirectory("stackpipe-private-registry-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String canary() {
    return "canary-" + UUID.randomUUID();
  }

  public LocalRegistry registry() {
    return registry;
  }

  public String host() {
    return registry.host();
  }

  public String ociUrl(String path) {
    return registry.ociUrl(path);
  }

  public String user() {
    return USER;
  }

  /** The canary. */
  public String password() {
    return password;
  }

  /** The token server of a Bearer registry, null for a Basic one. */
  public TokenServer tokens() {
    return tokens;
  }

  @Override
  public void close() {
    try {
      registry.close();
    } finally {
      if (tokens != null) {
        tokens.close();
      }
      FileTrees.deleteQuietly(files);
    }
  }
}
