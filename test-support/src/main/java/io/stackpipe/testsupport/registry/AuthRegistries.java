package io.stackpipe.testsupport.registry;

import io.stackpipe.local.registry.LocalRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.stream.Collectors;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Real registries that require authentication: Debian's docker-registry with an htpasswd file (Basic), or behind a
 * {@link TokenServer} (Bearer tokens that distribution verifies). The htpasswd entries are bcrypt, made here (no
 * apache2-utils needed), the only hash distribution accepts.
 */
public final class AuthRegistries {

  private AuthRegistries() {
  }

  /** A registry answering {@code Basic realm=…} for {@code users} (name → password); files under {@code dir}. */
  public static LocalRegistry basic(Map<String, String> users, Path dir) {
    try {
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, users.entrySet().stream().map(e -> htpasswdEntry(e.getKey(), e.getValue()))
          .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
      return LocalRegistry.startWithAuth("""
          auth:
            htpasswd:
              realm: stackpipe-test
              path: %s
          """.formatted(htpasswd));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A registry that accepts only the tokens {@code tokens} issues, for the scopes it grants. */
  public static LocalRegistry token(TokenServer tokens) {
    return LocalRegistry.startWithAuth(tokens.authSection());
  }

  /** {@code user:$2y$…}: bcrypt at the lowest cost, so tests stay fast. */
  public static String htpasswdEntry(String user, String password) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return user + ":" + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 4);
  }
}
