package io.stackpipe.kube.release;

import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.KubeConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The one way the engine writes a whole chart as a release: the caller never picks the writer. The chart is
 * rendered first; one with hooks or CustomResourceDefinitions goes through Helm's own install/upgrade
 * ({@link HelmReleases}, helm-java: hook order and CRD establishment are Helm's business), any other through the
 * fast writer ({@link ReleaseInstall}, {@link ReleaseUpgrade}). {@link ReleaseApplied#path()} says which ran. With
 * {@link #waitingUpTo}, the pods' readiness is awaited afterwards: an install that does not get Ready is
 * uninstalled, an upgrade rolled back.
 *
 * <pre>{@code
 * ReleaseApplied installed = Releases.on(kube)
 *     .withChart(umbrella.archive())
 *     .withName("platform")
 *     .withNamespace("pr-42")
 *     .withValues(values)
 *     .waitingUpTo(Duration.ofMinutes(5))
 *     .install();
 * }</pre>
 */
public final class Releases {

  private final KubeConnection kube;
  private Path chart;
  private String name;
  private String namespace;
  private Map<String, ?> values = Map.of();
  private DriftCheck driftCheck = DriftCheck.CORRECT;
  private Duration wait;

  private Releases(KubeConnection kube) {
    this.kube = kube;
  }

  public static Releases on(KubeConnection kube) {
    return new Releases(kube);
  }

  /** A chart folder or .tgz (an umbrella with its subcharts vendored). */
  public Releases withChart(Path value) {
    this.chart = value;
    return this;
  }

  public Releases withName(String value) {
    this.name = value;
    return this;
  }

  /** The release's namespace (it must exist). */
  public Releases withNamespace(String value) {
    this.namespace = value;
    return this;
  }

  /** User values, as Helm's {@code -f}: stored as the release's config. */
  public Releases withValues(Map<String, ?> value) {
    this.values = value;
    return this;
  }

  /** For an upgrade on the fast path (default {@link DriftCheck#CORRECT}). */
  public Releases withDriftCheck(DriftCheck value) {
    this.driftCheck = value;
    return this;
  }

  /** Returns only once the pods are Ready (else the release is taken back); without it, once written. */
  public Releases waitingUpTo(Duration value) {
    this.wait = value;
    return this;
  }

  /** Installs the release (revision 1). */
  public ReleaseApplied install() {
    ReleaseApplied applied = ReleaseInstall.into(kube).withChart(chart).withName(name).withNamespace(namespace)
        .withValues(values).call();
    return wait == null ? applied : awaited(applied, kube.releases().waitingUpTo(wait).awaitInstalled(
        applied.release()));
  }

  /** Upgrades the installed release to the chart (a new revision). */
  public ReleaseApplied upgrade() {
    ReleaseApplied applied = ReleaseUpgrade.of(kube).withChart(chart).withName(name).withNamespace(namespace)
        .withValues(values).withDriftCheck(driftCheck).call();
    return wait == null ? applied : awaited(applied, kube.releases().waitingUpTo(wait).awaitUpgraded(
        applied.release()));
  }

  /** The decision: what the fast writer leaves to Helm. */
  static boolean needsHelm(RenderedManifest rendered) {
    return !rendered.hooks().isEmpty() || rendered.hasCustomResourceDefinitions();
  }

  private static ReleaseApplied awaited(ReleaseApplied applied, HelmReleases.Release ready) {
    return new ReleaseApplied(ready.name(), ready.namespace(), ready.revision(), ready.status(), ready.chart(),
        ready.appVersion(), applied.path(), applied.changes());
  }
}
