package io.stackpipe.registry.auth;

import java.util.Optional;

/**
 * One place registry credentials come from (the installation's own, a Docker-style config file, a credential helper,
 * later a cloud registry's token service). {@link RegistryAuth} asks its sources in order; the first that knows the
 * host answers.
 */
public interface CredentialSource {

  /** The credential for {@code host} ({@code registry.example.com[:port]}), or empty when this source has none. */
  Optional<RegistryCredential> find(String host);

  /** What this source is, for the message that lists where credentials were looked for. */
  String describe();

  /**
   * Runs before the first push to {@code repository} of {@code host} by a client: a registry that refuses pushes to
   * a repository nobody created (ECR) gets it created here, when the installation says so. Nothing by default.
   */
  default void beforeFirstPush(String host, String repository) {
  }
}
