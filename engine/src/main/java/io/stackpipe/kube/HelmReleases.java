package io.stackpipe.kube;

import io.stackpipe.HelmRuntime;
import io.stackpipe.Interrupts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.ReleaseHistory;
import com.marcnuri.helm.UpgradeCommand;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.Result;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * Helm releases through helm-java, on the same cluster as the {@link KubeConnection}. Failures become one-line
 * {@link KubeException}s ({@link KubeAccessDeniedException} when RBAC refused).
 */
public final class HelmReleases {

  /** A release as {@code helm list}/{@code helm status} show it. */
  public record Release(String name, String namespace, int revision, String status, String chart, String appVersion)
      implements Result {
    @Override
    public Map<String, Object> toMap() {
      return Result.fields("name", name, "namespace", namespace, "revision", revision, "status", status,
          "chart", chart, "appVersion", appVersion);
    }
  }

  /** One line of {@code helm history}. */
  public record Revision(int revision, String status, String chart, String appVersion, String description)
      implements Result {
    @Override
    public Map<String, Object> toMap() {
      return Result.fields("revision", revision, "status", status, "chart", chart, "appVersion", appVersion,
          "description", description);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubeConnection connection;
  private final Duration wait;

  HelmReleases(KubeConnection connection) {
    this(connection, null);
  }

  private HelmReleases(KubeConnection connection, Duration wait) {
    this.connection = connection;
    this.wait = wait;
  }

  /**
   * Installs and upgrades that return only once the release's Deployments are Ready (Helm's {@code --wait}), for up
   * to {@code timeout}. A release that does not get Ready is taken back — uninstalled after an install, rolled
   * back to the previous revision after an upgrade — and the failure names the pod and its container's state.
   */
  public HelmReleases waitingUpTo(Duration timeout) {
    return new HelmReleases(connection, timeout);
  }

  /** Installs with {@code --set} values. */
  public Release install(String name, String namespace, Path chart, Map<String, ?> values) {
    return install(name, namespace, chart, install -> values.forEach(install::set));
  }

  /** Installs with values files, later files overriding earlier ones (chart defaults ← profile values). */
  public Release install(String name, String namespace, Path chart, List<Path> valuesFiles) {
    return install(name, namespace, chart, install -> valuesFiles.forEach(install::withValuesFile));
  }

  private Release install(String name, String namespace, Path chart, Consumer<InstallCommand> values) {
    Release installed = run("install", name, namespace, () -> {
      InstallCommand install = new Helm(chart).install().withName(name).withNamespace(namespace);
      values.accept(install);
      if (connection.kubeconfig() != null) {
        install.withKubeConfig(connection.kubeconfig());
      }
      return release(install.call());
    });
    return awaitReady("install", installed, () -> {
      uninstall(name, namespace);
      return "uninstalled";
    });
  }

  /** Upgrades an installed release with {@code --set} values. */
  public Release upgrade(String name, String namespace, Path chart, Map<String, ?> values) {
    return upgrade(name, namespace, chart, upgrade -> values.forEach(upgrade::set));
  }

  /** Upgrades an installed release with values files, later files overriding earlier ones. */
  public Release upgrade(String name, String namespace, Path chart, List<Path> valuesFiles) {
    return upgrade(name, namespace, chart, upgrade -> valuesFiles.forEach(upgrade::withValuesFile));
  }

  /**
   * {@code helm upgrade --install}: revision 1 of a new release, or the next revision of an installed one, so
   * running a pipeline again upgrades in place instead of uninstalling first.
   */
  public Release installOrUpgrade(String name, String namespace, Path chart, List<Path> valuesFiles) {
    return upgrade(name, namespace, chart, upgrade -> {
      upgrade.install();
      valuesFiles.forEach(upgrade::withValuesFile);
    });
  }

  private Release upgrade(String name, String namespace, Path chart, Consumer<UpgradeCommand> options) {
    return upgrade(name, namespace, () -> {
      UpgradeCommand upgrade = new Helm(chart).upgrade().withName(name).withNamespace(namespace);
      options.accept(upgrade);
      if (connection.kubeconfig() != null) {
        upgrade.withKubeConfig(connection.kubeconfig());
      }
      return release(upgrade.call());
    });
  }

  private Release upgrade(String name, String namespace, Supplier<Release> call) {
    return awaitUpgraded(run("upgrade", name, namespace, call));
  }

  /**
   * With {@link #waitingUpTo}, waits for a release installed by other means (Stackpipe's fast path) to be Ready,
   * and uninstalls it if it does not get Ready; without, returns it as is.
   */
  public Release awaitInstalled(Release installed) {
    return awaitReady("install", installed, () -> {
      uninstall(installed.name(), installed.namespace());
      return "uninstalled";
    });
  }

  /** As {@link #awaitInstalled} after an upgrade: one that does not get Ready is rolled back. */
  public Release awaitUpgraded(Release upgraded) {
    String name = upgraded.name();
    String namespace = upgraded.namespace();
    return awaitReady("upgrade", upgraded, () -> {
      int previous = history(name, namespace).stream().filter(r -> r.revision() < upgraded.revision())
          .filter(r -> !r.status().equals("failed")).mapToInt(Revision::revision).max().orElse(0);
      if (previous == 0) {
        uninstall(name, namespace);
        return "uninstalled";
      }
      rollback(name, namespace, previous);
      return "rolled back to revision " + previous;
    });
  }

  /** With {@link #waitingUpTo}: waits for readiness, and on failure takes the release back and says why. */
  private Release awaitReady(String verb, Release release, Supplier<String> takeBack) {
    if (wait == null) {
      return release;
    }
    try {
      new ReleaseReadiness(connection).await(release.name(), release.namespace(), wait);
      return status(release.name(), release.namespace());
    } catch (KubeException e) {
      boolean notReady = e instanceof ReleaseReadiness.ReadinessException;
      if (!notReady && !Interrupts.aborted(e)) {
        throw e;
      }
      // An aborted wait (in a sleep or in a call to the cluster) takes the release back as a failed one.
      String undone = Interrupts.uninterrupted(takeBack);
      throw new KubeException("helm " + verb + " " + release.name() + " in namespace " + release.namespace()
          + ": " + (notReady ? e.getMessage() : "interrupted while waiting for release " + release.name()
          + " to be Ready") + "; " + undone, e);
    }
  }

  /**
   * Rolls back to {@code revision}: a new revision that applies exactly the manifest and values stored for
   * {@code revision}, described "Rollback to N" as Helm's own rollback does. helm-java has no rollback verb, so
   * the stored manifest is replayed through an upgrade (hooks of the old revision are not re-run).
   */
  public Release rollback(String name, String namespace, int revision) {
    JsonNode stored = storedRelease(name, namespace, revision);
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-rollback-")) {
      Path dir = temp.path();
      JsonNode metadata = stored.path("chart").path("metadata");
      Path chart = Files.createDirectories(dir.resolve(metadata.path("name").asText()));
      Files.writeString(chart.resolve("Chart.yaml"), JSON.writeValueAsString(Map.of(
          "apiVersion", "v2", "name", metadata.path("name").asText(), "version", metadata.path("version").asText(),
          "appVersion", metadata.path("appVersion").asText(""))));
      Files.createDirectories(chart.resolve("templates"));
      Files.writeString(chart.resolve("templates/manifest.yaml"), "{{ .Files.Get \"stored/manifest.yaml\" }}\n");
      Files.createDirectories(chart.resolve("stored"));
      Files.writeString(chart.resolve("stored/manifest.yaml"), stored.path("manifest").asText());
      // The old revision's user values ride along so `helm get values` shows them; the template ignores them.
      Path values = dir.resolve("values.json");
      Files.writeString(values, JSON.writeValueAsString(stored.path("config")));
      return run("rollback", name, namespace, () -> {
        UpgradeCommand upgrade = new Helm(chart).upgrade().withName(name).withNamespace(namespace)
            .withValuesFile(values).withDescription("Rollback to " + revision);
        if (connection.kubeconfig() != null) {
          upgrade.withKubeConfig(connection.kubeconfig());
        }
        return release(upgrade.call());
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns Helm's confirmation text. */
  public String uninstall(String name, String namespace) {
    return run("uninstall", name, namespace, () -> {
      var uninstall = Helm.uninstall(name).withNamespace(namespace);
      if (connection.kubeconfig() != null) {
        uninstall.withKubeConfig(connection.kubeconfig());
      }
      return uninstall.call();
    });
  }

  public List<Release> list(String namespace) {
    return run("list", "releases", namespace, () -> {
      var list = Helm.list().withNamespace(namespace);
      if (connection.kubeconfig() != null) {
        list.withKubeConfig(connection.kubeconfig());
      }
      return list.call().stream().map(HelmReleases::release).sorted(Comparator.comparing(Release::name)).toList();
    });
  }

  public Release status(String name, String namespace) {
    return run("status", name, namespace, () -> {
      var status = Helm.status(name).withNamespace(namespace);
      if (connection.kubeconfig() != null) {
        status.withKubeConfig(connection.kubeconfig());
      }
      return release(status.call());
    });
  }

  /** Oldest revision first. */
  public List<Revision> history(String name, String namespace) {
    return run("history", name, namespace, () -> {
      var history = Helm.history(name).withNamespace(namespace);
      if (connection.kubeconfig() != null) {
        history.withKubeConfig(connection.kubeconfig());
      }
      return history.call().stream().map(HelmReleases::revision)
          .sorted(Comparator.comparingInt(Revision::revision)).toList();
    });
  }

  private static Release release(com.marcnuri.helm.Release r) {
    return new Release(r.getName(), r.getNamespace(), Integer.parseInt(r.getRevision().trim()),
        r.getStatus(), r.getChart(), r.getAppVersion());
  }

  private static Revision revision(ReleaseHistory h) {
    return new Revision(h.getRevision(), h.getStatus(), h.getChart(), h.getAppVersion(), h.getDescription());
  }

  /** Helm keeps each revision in a Secret: base64(gzip(JSON)), under the Secret's own base64. */
  private JsonNode storedRelease(String name, String namespace, int revision) {
    String secretName = "sh.helm.release.v1." + name + ".v" + revision;
    Secret secret;
    try {
      secret = connection.client().secrets().inNamespace(namespace).withName(secretName).get();
    } catch (KubernetesClientException e) {
      throw connection.translate(e, "get", "secrets", namespace);
    }
    if (secret == null || secret.getData() == null || !secret.getData().containsKey("release")) {
      throw new KubeException("helm rollback " + name + " in namespace " + namespace + ": release has no revision "
          + revision);
    }
    byte[] helmEncoded = Base64.getDecoder().decode(secret.getData().get("release"));
    byte[] gzipped = Base64.getDecoder().decode(helmEncoded);
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gzipped))) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new KubeException("helm rollback " + name + ": revision " + revision + " is not a readable Helm release", e);
    }
  }

  private <T> T run(String verb, String name, String namespace, Supplier<T> call) {
    try {
      return HelmRuntime.call(call);
    } catch (IllegalStateException e) {
      KubeAccessDeniedException denied = KubeErrors.forbidden(e.getMessage(), e);
      if (denied != null) {
        throw denied;
      }
      throw new KubeException("helm " + verb + " " + name + " in namespace " + namespace + ": "
          + KubeErrors.firstLine(e.getMessage()), e);
    }
  }

}
