package io.stackpipe.installation;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a session takes from the process that opens it: the engine reads no environment of its own.
 *
 * @param variables the process's environment: KUBECONFIG or the in-cluster settings when the installation names no
 *     cluster, sops' key variables, AWS credentials for KMS
 * @param home the process's home folder (~/.kube/config, the demo cluster, sops and AWS files), or null
 * @param tempDirectory where the session's private folder is made (a kubeconfig credential is written there for
 *     the session's life); null: {@code java.io.tmpdir}
 * @param user who acts: records it on candidates and deploys; stack policies check it (null: unknown)
 * @param groups the user's groups, checked against a stack policy's deployers
 * @param progress receives one line per step of long work
 */
public record SessionEnvironment(Map<String, String> variables, Path home, Path tempDirectory, String user,
    Set<String> groups, Consumer<String> progress) {

  public SessionEnvironment {
    variables = Map.copyOf(variables);
    groups = Set.copyOf(groups);
    Objects.requireNonNull(progress, "progress");
  }

  /** The given variables and home, the default temporary folder, no user, progress dropped. */
  public static SessionEnvironment of(Map<String, String> variables, Path home) {
    return new SessionEnvironment(variables, home, null, null, Set.of(), line -> { });
  }

  public SessionEnvironment withTempDirectory(Path value) {
    return new SessionEnvironment(variables, home, value, user, groups, progress);
  }

  public SessionEnvironment withUser(String name, Set<String> memberOf) {
    return new SessionEnvironment(variables, home, tempDirectory, name, memberOf, progress);
  }

  public SessionEnvironment withProgress(Consumer<String> value) {
    return new SessionEnvironment(variables, home, tempDirectory, user, groups, value);
  }

  Optional<Path> temp() {
    return Optional.ofNullable(tempDirectory);
  }
}
