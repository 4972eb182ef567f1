package io.stackpipe.kube.release;

import io.stackpipe.chart.ChartArchive;
import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.KubeConnection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one way the engine writes a whole chart as a release: the caller never picks the writer. A chart with hooks
 * (in its templates) or CustomResourceDefinitions (in its rendering) goes through Helm's own install/upgrade
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

  private static final String HOOK = "helm.sh/hook";

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

  /**
   * The decision: what the fast writer leaves to Helm. helm-java's template leaves hooks out of its output, so a
   * hook is also looked for in the chart's templates, subcharts' included.
   */
  static boolean needsHelm(Path chart, RenderedManifest rendered) {
    return !rendered.hooks().isEmpty() || rendered.hasCustomResourceDefinitions() || declaresHooks(chart);
  }

  /** Whether a template of the chart or of a subchart (folder or vendored .tgz) names the hook annotation. */
  static boolean declaresHooks(Path chart) {
    return declaresHooks(Files.isDirectory(chart) ? folder(chart) : ChartArchive.files(chart));
  }

  private static boolean declaresHooks(Map<String, byte[]> files) {
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      String path = file.getKey();
      if (path.contains("/charts/") && path.endsWith(".tgz")) {
        if (declaresHooks(ChartArchive.read(new ByteArrayInputStream(file.getValue()), path))) {
          return true;
        }
      } else if (path.contains("/templates/") && new String(file.getValue(), StandardCharsets.UTF_8).contains(HOOK)) {
        return true;
      }
    }
    return false;
  }

  /** A chart folder's files by path as an archive names them ({@code name/templates/…}). */
  private static Map<String, byte[]> folder(Path chart) {
    Path base = chart.toAbsolutePath().getParent();
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> walk = Files.walk(chart)) {
      for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.put(base.relativize(file.toAbsolutePath()).toString().replace('\\', '/'), Files.readAllBytes(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static ReleaseApplied awaited(ReleaseApplied applied, HelmReleases.Release ready) {
    return new ReleaseApplied(ready.name(), ready.namespace(), ready.revision(), ready.status(), ready.chart(),
        ready.appVersion(), applied.path(), applied.changes());
  }
}
