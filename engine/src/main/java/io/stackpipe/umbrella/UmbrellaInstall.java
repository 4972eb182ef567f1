package io.stackpipe.umbrella;

import io.stackpipe.StackpipeException;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.release.Releases;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Installs an umbrella chart as ONE Helm release, with each subchart's profile values nested under its key
 * ({@link UmbrellaValues}), through {@link Releases} (the fast path: rendered by Helm, objects created in parallel,
 * a genuine Helm release record; Helm's own install for a chart with hooks or CRDs). With {@link #waitingUpTo}
 * the pods' readiness is awaited afterwards and a release that does not get Ready is uninstalled.
 *
 * <pre>{@code
 * Release release = UmbrellaInstall.into(kube)
 *     .withUmbrella(umbrella)
 *     .withValues(UmbrellaValues.compose(umbrella, "ephemeral"))
 *     .withNamespace("pr-42")
 *     .waitingUpTo(Duration.ofMinutes(5))
 *     .call();
 * }</pre>
 */
public final class UmbrellaInstall {

  private final KubeConnection kube;
  private Umbrella umbrella;
  private UmbrellaValues values;
  private String namespace;
  private String releaseName;
  private Duration wait;
  private Consumer<String> progress = line -> { };

  private UmbrellaInstall(KubeConnection kube) {
    this.kube = kube;
  }

  public static UmbrellaInstall into(KubeConnection kube) {
    return new UmbrellaInstall(kube);
  }

  public UmbrellaInstall withUmbrella(Umbrella value) {
    this.umbrella = value;
    return this;
  }

  /** The composed values (required: compose them first, so a missing profile is refused before anything is made). */
  public UmbrellaInstall withValues(UmbrellaValues value) {
    this.values = value;
    return this;
  }

  public UmbrellaInstall withNamespace(String value) {
    this.namespace = value;
    return this;
  }

  /** Default: the umbrella's name. */
  public UmbrellaInstall withReleaseName(String value) {
    this.releaseName = value;
    return this;
  }

  /** Returns only once the pods are Ready (on failure the release is uninstalled); without it, once created. */
  public UmbrellaInstall waitingUpTo(Duration value) {
    this.wait = value;
    return this;
  }

  public UmbrellaInstall withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public Release call() {
    if (umbrella == null || values == null || namespace == null) {
      throw new StackpipeException("an umbrella install needs the umbrella, its composed values and a namespace");
    }
    String release = releaseName != null ? releaseName : umbrella.name();
    Releases releases = Releases.on(kube).withChart(umbrella.archive()).withName(release).withNamespace(namespace)
        .withValues(values.values());
    if (wait != null) {
      releases.waitingUpTo(wait);
    }
    Release installed = releases.install().release();
    progress.accept(release + ": installed " + installed.chart() + " (" + umbrella.services().size()
        + " services) with profile " + values.profile() + " into " + namespace + " (" + installed.status()
        + (wait == null ? "" : ", pods Ready") + ")");
    return installed;
  }
}
