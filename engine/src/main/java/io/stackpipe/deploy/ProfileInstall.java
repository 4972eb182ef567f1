package io.stackpipe.deploy;

import io.stackpipe.Names;
import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.values.LayeredValues;
import io.stackpipe.deploy.values.ProfileValues;
import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeException;
import io.stackpipe.secrets.keys.SecretKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Installs a chart artifact with one of the profiles packaged inside it, into a namespace: chart defaults ← the
 * profile's {@code values.yaml} ← its decrypted {@code secrets.yaml} ← {@code --set} overrides ({@link ProfileValues}),
 * as {@code helm upgrade --install}, so running it again upgrades the release in place. The profile is read from
 * the artifact, never from a source checkout. {@link Deploy} runs it onto a stack, under the stack's lock and policy.
 *
 * <pre>{@code
 * ProfileRelease release = ProfileInstall.into(kube)
 *     .withChart(Path.of("orders-1.4.0.tgz"))
 *     .withProfile("qa1")
 *     .withNamespace("team-a-qa1")
 *     .call();
 * }</pre>
 */
public final class ProfileInstall {

  private final KubeConnection kube;
  private Path chart;
  private String profile;
  private String namespace;
  private String releaseName;
  private Consumer<String> progress = line -> { };
  private Duration wait;
  private SecretKeys keys;
  private List<String> sets = List.of();

  private ProfileInstall(KubeConnection kube) {
    this.kube = kube;
  }

  public static ProfileInstall into(KubeConnection kube) {
    return new ProfileInstall(kube);
  }

  /** The packaged chart (.tgz) as the chart build wrote it, profiles/ included. */
  public ProfileInstall withChart(Path chart) {
    this.chart = chart;
    return this;
  }

  public ProfileInstall withProfile(String profile) {
    this.profile = profile;
    return this;
  }

  /** An existing namespace (a stack) to install into. */
  public ProfileInstall withNamespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  /** Default: the chart's name. */
  public ProfileInstall withReleaseName(String releaseName) {
    this.releaseName = releaseName;
    return this;
  }

  /** Returns only once the release's pods are Ready, for up to {@code timeout}; else takes the release back. */
  public ProfileInstall waitingUpTo(Duration timeout) {
    this.wait = timeout;
    return this;
  }

  /** Receives one line per step. */
  public ProfileInstall withProgress(Consumer<String> progress) {
    this.progress = progress;
    return this;
  }

  /** The keys that open the profile's secrets.yaml; without them a profile's secrets are left out (and said so). */
  public ProfileInstall withSecretKeys(SecretKeys keys) {
    this.keys = keys;
    return this;
  }

  /** Overrides in Helm's {@code --set} form, the last layer. */
  public ProfileInstall withSet(List<String> assignments) {
    this.sets = List.copyOf(assignments);
    return this;
  }

  public ProfileRelease call() {
    require("chart", chart);
    require("profile", profile);
    require("namespace", namespace);
    if (!Files.isRegularFile(chart)) {
      throw StackpipeException.ofField("chart", chart + ": no such chart archive");
    }
    if (!Names.isDns1123Label(namespace)) {
      throw StackpipeException.ofField("namespace", "'" + namespace + "' is not a DNS-1123 label");
    }
    return install(values());
  }

  /** The profile's layered values: decrypted, in memory. Composed before anything changes in the cluster. */
  LayeredValues values() {
    ProfileValues composer = ProfileValues.of(chart, profile);
    sets.forEach(composer::withSet);
    return (keys == null ? composer.withoutSecrets() : composer.withSecretKeys(keys)).call();
  }

  /**
   * {@code helm upgrade --install} with {@code values}. Atomic: a failed install is uninstalled, a failed upgrade
   * rolled back to the previous good revision (readiness failures by {@link HelmReleases#waitingUpTo} itself), and
   * the one-line error says so. No decrypted value appears in progress or errors.
   */
  ProfileRelease install(LayeredValues values) {
    String release = releaseName != null ? releaseName : values.chart();
    if (values.secretsSkipped()) {
      progress.accept(release + ": profile " + profile + " has secrets.yaml: not applied (no keys given)");
    }
    HelmReleases releases = wait == null ? kube.releases() : kube.releases().waitingUpTo(wait);
    Release installed;
    try {
      installed = values.withValuesFile(file -> releases.installOrUpgrade(release, namespace, chart, List.of(file)));
    } catch (KubeException e) {
      throw values.masked(takeBack(release, e));
    }
    progress.accept(release + ": " + (installed.revision() == 1 ? "installed " : "upgraded ") + installed.chart()
        + " with profile " + profile + " into " + namespace + " (revision " + installed.revision() + ", "
        + installed.status() + (wait == null ? ")" : ", pods Ready)"));
    return new ProfileRelease(installed.name(), installed.namespace(), profile, installed.chart(),
        installed.appVersion(), installed.revision(), installed.status(), values.secretsSkipped());
  }

  /** When Helm itself failed mid-way (the newest revision is {@code failed}), puts back what was there before. */
  private KubeException takeBack(String release, KubeException failure) {
    List<HelmReleases.Revision> history;
    try {
      history = kube.releases().history(release, namespace);
    } catch (KubeException unreadable) {
      return failure;
    }
    if (history.isEmpty() || !history.get(history.size() - 1).status().equals("failed")) {
      return failure;
    }
    int previous = history.stream().filter(r -> !r.status().equals("failed")).mapToInt(HelmReleases.Revision::revision)
        .max().orElse(0);
    if (previous == 0) {
      kube.releases().uninstall(release, namespace);
      return new KubeException(failure.getMessage() + "; uninstalled", failure);
    }
    kube.releases().rollback(release, namespace, previous);
    return new KubeException(failure.getMessage() + "; rolled back to revision " + previous, failure);
  }

  private static void require(String field, Object value) {
    if (value == null) {
      throw StackpipeException.ofField(field, "is required");
    }
  }
}
