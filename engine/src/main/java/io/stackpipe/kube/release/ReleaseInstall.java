package io.stackpipe.kube.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code helm install} without Helm's slow part: the chart is rendered by Helm (helm-java's template, with the
 * cluster's version), then Stackpipe writes the release record ({@code pending-install}), creates every object —
 * all of a phase at once, phases in Helm's kind order (namespaces; ServiceAccounts, Secrets, ConfigMaps, RBAC,
 * Services; workloads and the rest; webhooks) — and marks the record {@code deployed}. No existence GET per object:
 * a create that meets an existing object fails the install, as Helm's does. The result is a genuine Helm release.
 *
 * <p>A chart with hooks or CustomResourceDefinitions goes through Helm's own install instead (hook order and CRD
 * establishment are Helm's business); {@link ReleaseApplied#path()} says which path ran.
 *
 * <pre>{@code
 * ReleaseApplied installed = ReleaseInstall.into(kube)
 *     .withChart(umbrella.archive())
 *     .withName("platform")
 *     .withNamespace("pr-42")
 *     .withValues(values)
 *     .call();
 * }</pre>
 */
public final class ReleaseInstall {

  static final int DEFAULT_PARALLELISM = 16;

  private final KubeConnection kube;
  private Path chart;
  private String name;
  private String namespace;
  private Map<String, ?> values = Map.of();
  private int parallelism = DEFAULT_PARALLELISM;

  private ReleaseInstall(KubeConnection kube) {
    this.kube = kube;
  }

  public static ReleaseInstall into(KubeConnection kube) {
    return new ReleaseInstall(kube);
  }

  /** A chart folder or .tgz (an umbrella with its subcharts vendored). */
  public ReleaseInstall withChart(Path value) {
    this.chart = value;
    return this;
  }

  public ReleaseInstall withName(String value) {
    this.name = value;
    return this;
  }

  /** The release's namespace (it must exist). */
  public ReleaseInstall withNamespace(String value) {
    this.namespace = value;
    return this;
  }

  /** User values, as Helm's {@code -f}: stored as the release's config. */
  public ReleaseInstall withValues(Map<String, ?> value) {
    this.values = value;
    return this;
  }

  /** Requests in flight at once (default {@value #DEFAULT_PARALLELISM}). */
  public ReleaseInstall withParallelism(int value) {
    this.parallelism = value;
    return this;
  }

  public ReleaseApplied call() {
    if (chart == null || name == null || namespace == null) {
      throw new StackpipeException("a release install needs a chart, a release name and a namespace");
    }
    ReleaseWriter writer = new ReleaseWriter(kube, parallelism, name, namespace);
    CompletableFuture<ApiCalls.Response> existing = writer.records();
    CompletableFuture<ApiCalls.Response> version = writer.version();
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-release-")) {
      Path valuesFile = ReleaseWriter.writeValues(temp, values);
      RenderedManifest rendered = RenderedManifest.parse(
          writer.render(chart, ReleaseWriter.gitVersion(version), valuesFile));
      return install(writer, rendered, existing.join(), valuesFile);
    }
  }

  private ReleaseApplied install(ReleaseWriter writer, RenderedManifest rendered, ApiCalls.Response existing,
      Path valuesFile) {
    writer.check(existing, "list revisions");
    if (!existing.body().path("items").isEmpty()) {
      throw new KubeException("release " + name + " in namespace " + namespace
          + " exists already: upgrade it, or uninstall it first");
    }
    if (Releases.needsHelm(chart, rendered)) {
      HelmReleases.Release installed = kube.releases().install(name, namespace, chart, List.of(valuesFile));
      return new ReleaseApplied(installed.name(), installed.namespace(), installed.revision(), installed.status(),
          installed.chart(), installed.appVersion(), "helm", null);
    }
    Set<String> apiVersions = new LinkedHashSet<>();
    rendered.objects().forEach(o -> apiVersions.add(o.apiVersion()));
    ApiResources resources = ApiResources.discover(writer.api, apiVersions);
    List<ReleaseWriter.Write> writes = new ArrayList<>();
    for (ManifestObject object : rendered.objects()) {
      ApiResources.Resource resource = resources.resource(object);
      ObjectNode desired = writer.desired(object, resource);
      writes.add(new ReleaseWriter.Write(ReleaseWriter.phase(object.kind()), new ApiCalls.Call("POST",
          resource.collection(writer.namespaceOf(desired)), "application/json", desired), object.describe()));
    }

    JsonNode chartJson = ReleaseRecord.chart(chart);
    Instant started = Instant.now();
    ObjectNode pending = ReleaseRecord.release(name, namespace, 1, "pending-install", "Initial install underway",
        chartJson, values, rendered.releaseManifest(), started, started);
    writer.createRecord(pending, started);
    List<String> failures;
    try {
      failures = writer.apply(writes);
    } catch (RuntimeException e) {
      // The API server went away mid-way: the record must not stay pending (that would block every later upgrade).
      failures = List.of(e.getMessage());
    }
    Instant done = Instant.now();
    if (!failures.isEmpty()) {
      String reason = ReleaseWriter.summary(failures);
      writer.api.one(writer.updateRecord(ReleaseRecord.withStatus(pending, "failed",
          "Release \"" + name + "\" failed: " + reason), done));
      throw new KubeException("install of release " + name + " in namespace " + namespace + " failed: " + reason);
    }
    writer.check(writer.api.one(writer.updateRecord(ReleaseRecord.withStatus(pending, "deployed",
        "Install complete"), done)), "mark deployed");
    return new ReleaseApplied(name, namespace, 1, "deployed", ReleaseWriter.chartName(chartJson),
        ReleaseWriter.appVersion(chartJson), "fast",
        new ReleaseApplied.Changes(writes.size(), 0, 0, 0, 0, null));
  }
}
