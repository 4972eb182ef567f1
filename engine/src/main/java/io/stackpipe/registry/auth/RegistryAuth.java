package io.stackpipe.registry.auth;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Where a session's registry credentials come from, in order, per registry host: the first source that knows the
 * host answers, and a host no source knows is spoken to anonymously. {@link #standard} is the order every front end
 * uses: the installation's own credentials, then Docker's config ({@code $DOCKER_CONFIG/config.json} or
 * {@code ~/.docker/config.json}), then Helm's registry config ({@code $HELM_REGISTRY_CONFIG}, or
 * {@code registry/config.json} under {@code $XDG_CONFIG_HOME/helm} or {@code ~/.config/helm}). Answers are kept for
 * the session, except a credential that has expired (a cloud registry's token): its source is asked again.
 */
public final class RegistryAuth {

  private static final RegistryAuth ANONYMOUS = new RegistryAuth(List.of(), Clock.systemUTC());

  private final List<CredentialSource> sources;
  private final Clock clock;
  private final Map<String, Optional<RegistryCredential>> found = new ConcurrentHashMap<>();

  private RegistryAuth(List<CredentialSource> sources, Clock clock) {
    this.sources = List.copyOf(sources);
    this.clock = clock;
  }

  /** No credentials: every registry is spoken to anonymously. */
  public static RegistryAuth anonymous() {
    return ANONYMOUS;
  }

  /** These sources, asked in this order. */
  public static RegistryAuth of(List<CredentialSource> sources) {
    return new RegistryAuth(sources, Clock.systemUTC());
  }

  /**
   * The standard order: {@code first} (the installation's explicit sources), then the Docker and Helm configs that
   * {@code variables} and {@code home} point to (null home: only those the variables name).
   */
  public static RegistryAuth standard(List<CredentialSource> first, Map<String, String> variables, Path home) {
    List<CredentialSource> sources = new ArrayList<>(first);
    String docker = variables.get("DOCKER_CONFIG");
    if (docker != null && !docker.isBlank()) {
      sources.add(new DockerConfig(Path.of(docker, "config.json"), "docker config", variables));
    } else if (home != null) {
      sources.add(new DockerConfig(home.resolve(".docker/config.json"), "docker config", variables));
    }
    String helm = variables.get("HELM_REGISTRY_CONFIG");
    String xdg = variables.get("XDG_CONFIG_HOME");
    if (helm != null && !helm.isBlank()) {
      sources.add(new DockerConfig(Path.of(helm), "helm registry config", variables));
    } else if (xdg != null && !xdg.isBlank()) {
      sources.add(new DockerConfig(Path.of(xdg, "helm/registry/config.json"), "helm registry config", variables));
    } else if (home != null) {
      sources.add(new DockerConfig(home.resolve(".config/helm/registry/config.json"), "helm registry config",
          variables));
    }
    return of(sources);
  }

  /** Credentials given per host (the installation's), described as {@code description for HOST}. */
  public static CredentialSource explicit(Map<String, RegistryCredential> byHost, String description) {
    Map<String, RegistryCredential> copy = byHost.entrySet().stream().collect(Collectors.toUnmodifiableMap(
        e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    return new CredentialSource() {
      @Override
      public Optional<RegistryCredential> find(String host) {
        return Optional.ofNullable(copy.get(host.toLowerCase(Locale.ROOT)));
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  /** These sources, then {@code last}. */
  public RegistryAuth then(CredentialSource last) {
    List<CredentialSource> all = new ArrayList<>(sources);
    all.add(last);
    return new RegistryAuth(all, clock);
  }

  /** The credential for {@code host}, or empty: anonymous. */
  public Optional<RegistryCredential> credential(String host) {
    String key = host.toLowerCase(Locale.ROOT);
    Optional<RegistryCredential> known = found.get(key);
    if (known != null && known.map(c -> !c.expired(clock.instant())).orElse(true)) {
      return known;
    }
    Optional<RegistryCredential> credential = Optional.empty();
    for (CredentialSource source : sources) {
      credential = source.find(key);
      if (credential.isPresent()) {
        break;
      }
    }
    found.put(key, credential);
    return credential;
  }

  /** What every source does before a client's first push to {@code repository} of {@code host}. */
  public void beforeFirstPush(String host, String repository) {
    for (CredentialSource source : sources) {
      source.beforeFirstPush(host, repository);
    }
  }

  /** The sources in order, for a message saying where credentials were looked for. */
  public String describe() {
    return sources.isEmpty() ? "no credential sources"
        : sources.stream().map(CredentialSource::describe).collect(Collectors.joining(", then "));
  }
}
