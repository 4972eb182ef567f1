package io.stackpipe.secrets.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the secrets engine may know of the process it runs in, handed over by the front end (the CLI passes
 * {@code System.getenv()} and the user's home; a Jenkins step its own): the engine never reads the environment,
 * system properties or the home directory by itself. Variables read: {@code SOPS_AGE_KEY}, {@code SOPS_AGE_KEY_FILE},
 * {@code XDG_CONFIG_HOME}, {@code SOPS_EDITOR}, {@code EDITOR}, {@code STACKPIPE_KMS_ENDPOINT} and the AWS settings
 * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}, {@code AWS_PROFILE},
 * {@code AWS_SHARED_CREDENTIALS_FILE}, {@code AWS_CONFIG_FILE}).
 */
public record SecretsEnvironment(Map<String, String> variables, Optional<Path> home) {
  public SecretsEnvironment {
    variables = Map.copyOf(variables);
  }

  public static SecretsEnvironment of(Map<String, String> variables, Path home) {
    return new SecretsEnvironment(variables, Optional.ofNullable(home));
  }

  /** No variables and no home: only keys given explicitly are used. */
  public static SecretsEnvironment none() {
    return new SecretsEnvironment(Map.of(), Optional.empty());
  }

  /** A variable's value, absent when unset or blank. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
  }

  /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}, as sops finds its age keys. */
  public Optional<Path> configHome() {
    return get("XDG_CONFIG_HOME").map(Path::of).or(() -> home.map(h -> h.resolve(".config")));
  }

  /** The editor as sops picks it: SOPS_EDITOR, else EDITOR, else vi (split on whitespace). */
  public List<String> editor() {
    String e = get("SOPS_EDITOR").or(() -> get("EDITOR")).orElse("vi");
    return List.of(e.strip().split("\\s+"));
  }
}
