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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code helm upgrade} of a release without reading every object three times: the new render is compared with the
 * stored manifest of the deployed revision and — by default ({@link DriftCheck#CORRECT}) — with the live objects,
 * read with one LIST per kind. Only objects that changed or drifted are patched (a JSON merge patch: the desired
 * fields, and null for fields the previous revision set and this one does not); new objects are created, objects
 * no longer rendered are deleted (unless annotated {@code helm.sh/resource-policy: keep}); the new revision is
 * written {@code pending-upgrade}, then {@code deployed}, and the previous one {@code superseded}, as Helm does.
 *
 * <p>Charts with hooks or CustomResourceDefinitions go through Helm's own upgrade.
 *
 * <pre>{@code
 * ReleaseApplied upgraded = ReleaseUpgrade.of(kube)
 *     .withChart(next.archive())
 *     .withName("platform")
 *     .withNamespace("pr-42")
 *     .withValues(values)
 *     .call();
 * }</pre>
 */
public final class ReleaseUpgrade {

  /** Helm's default {@code --history-max}: older revisions' records are deleted. */
  static final int DEFAULT_HISTORY_MAX = 10;

  private final KubeConnection kube;
  private Path chart;
  private String name;
  private String namespace;
  private Map<String, ?> values = Map.of();
  private DriftCheck driftCheck = DriftCheck.CORRECT;
  private int parallelism = ReleaseInstall.DEFAULT_PARALLELISM;
  private int historyMax = DEFAULT_HISTORY_MAX;

  private ReleaseUpgrade(KubeConnection kube) {
    this.kube = kube;
  }

  public static ReleaseUpgrade of(KubeConnection kube) {
    return new ReleaseUpgrade(kube);
  }

  public ReleaseUpgrade withChart(Path value) {
    this.chart = value;
    return this;
  }

  public ReleaseUpgrade withName(String value) {
    this.name = value;
    return this;
  }

  public ReleaseUpgrade withNamespace(String value) {
    this.namespace = value;
    return this;
  }

  /** The new revision's user values (Helm's {@code -f}; nothing is reused from the previous revision). */
  public ReleaseUpgrade withValues(Map<String, ?> value) {
    this.values = value;
    return this;
  }

  /** Default {@link DriftCheck#CORRECT}. */
  public ReleaseUpgrade withDriftCheck(DriftCheck value) {
    this.driftCheck = value;
    return this;
  }

  public ReleaseUpgrade withParallelism(int value) {
    this.parallelism = value;
    return this;
  }

  /** Revisions kept (default {@value #DEFAULT_HISTORY_MAX}, as Helm's CLI); 0 keeps all. */
  public ReleaseUpgrade withHistoryMax(int value) {
    this.historyMax = value;
    return this;
  }

  public ReleaseApplied call() {
    if (chart == null || name == null || namespace == null) {
      throw new StackpipeException("a release upgrade needs a chart, a release name and a namespace");
    }
    ReleaseWriter writer = new ReleaseWriter(kube, parallelism, name, namespace);
    CompletableFuture<ApiCalls.Response> records = writer.records();
    CompletableFuture<ApiCalls.Response> version = writer.version();
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-release-")) {
      Path valuesFile = ReleaseWriter.writeValues(temp, values);
      RenderedManifest rendered = RenderedManifest.parse(
          writer.render(chart, ReleaseWriter.gitVersion(version), valuesFile));
      return upgrade(writer, rendered, records.join(), valuesFile);
    }
  }

  private ReleaseApplied upgrade(ReleaseWriter writer, RenderedManifest rendered, ApiCalls.Response list,
      Path valuesFile) {
    writer.check(list, "list revisions");
    List<JsonNode> revisions = new ArrayList<>();
    list.body().path("items").forEach(revisions::add);
    revisions.sort(Comparator.comparingInt(ReleaseUpgrade::version));
    if (revisions.isEmpty()) {
      throw new KubeException("release " + name + " in namespace " + namespace + " is not installed");
    }
    JsonNode last = revisions.get(revisions.size() - 1);
    String lastStatus = last.path("metadata").path("labels").path("status").asText();
    if (lastStatus.startsWith("pending-")) {
      throw new KubeException("release " + name + " in namespace " + namespace + ": revision " + version(last)
          + " is " + lastStatus + " (another operation is in progress)");
    }
    if (Releases.needsHelm(chart, rendered)) {
      HelmReleases.Release upgraded = kube.releases().upgrade(name, namespace, chart, List.of(valuesFile));
      return new ReleaseApplied(upgraded.name(), upgraded.namespace(), upgraded.revision(), upgraded.status(),
          upgraded.chart(), upgraded.appVersion(), "helm", null);
    }
    JsonNode deployedSecret = revisions.stream()
        .filter(r -> r.path("metadata").path("labels").path("status").asText().equals("deployed"))
        .reduce((a, b) -> b).orElse(last);
    JsonNode current = ReleaseRecord.decode(deployedSecret);
    RenderedManifest previous = RenderedManifest.parse(current.path("manifest").asText(""));

    Set<String> apiVersions = new LinkedHashSet<>();
    rendered.objects().forEach(o -> apiVersions.add(o.apiVersion()));
    previous.objects().forEach(o -> apiVersions.add(o.apiVersion()));
    ApiResources resources = ApiResources.discover(writer.api, apiVersions);

    Map<String, Target> targets = new LinkedHashMap<>();
    for (ManifestObject object : rendered.objects()) {
      ApiResources.Resource resource = resources.resource(object);
      ObjectNode desired = writer.desired(object, resource);
      targets.put(key(desired, resource), new Target(object, resource, desired));
    }
    Map<String, Target> before = new LinkedHashMap<>();
    for (ManifestObject object : previous.objects()) {
      ApiResources.Resource resource;
      try {
        resource = resources.resource(object);
      } catch (KubeException gone) {
        continue; // its kind no longer exists in the cluster: nothing to update or delete
      }
      ObjectNode desired = writer.desired(object, resource);
      before.put(key(desired, resource), new Target(object, resource, desired));
    }
    Map<String, JsonNode> live = driftCheck == DriftCheck.CORRECT ? live(writer, targets) : null;

    List<ReleaseWriter.Write> writes = new ArrayList<>();
    int created = 0;
    int updated = 0;
    int drifted = 0;
    int unchanged = 0;
    for (Map.Entry<String, Target> entry : targets.entrySet()) {
      Target target = entry.getValue();
      Target old = before.get(entry.getKey());
      int phase = ReleaseWriter.phase(target.object().kind());
      String namespaceOf = writer.namespaceOf(target.desired());
      String path = target.resource().object(namespaceOf, target.object().name());
      JsonNode original = old == null ? null : old.desired();
      JsonNode have = live != null ? live.get(entry.getKey()) : original;
      if (have == null) {
        writes.add(new ReleaseWriter.Write(phase, new ApiCalls.Call("POST",
            target.resource().collection(namespaceOf), "application/json", target.desired()),
            target.object().describe()));
        created++;
        continue;
      }
      if (old == null && live != null && !ownedByRelease(have)) {
        throw new KubeException("upgrade of release " + name + " in namespace " + namespace + ": "
            + target.object().describe() + " exists already and is not part of the release");
      }
      ObjectNode patch = LiveDiff.patch(original, target.desired(), have);
      if (patch.isEmpty()) {
        unchanged++;
        continue;
      }
      writes.add(new ReleaseWriter.Write(phase, new ApiCalls.Call("PATCH", path, ReleaseWriter.MERGE_PATCH, patch),
          target.object().describe()));
      updated++;
      if (original != null && original.equals(target.desired())) {
        drifted++;
      }
    }
    int deleted = 0;
    for (Map.Entry<String, Target> entry : before.entrySet()) {
      Target old = entry.getValue();
      if (targets.containsKey(entry.getKey()) || "keep".equals(old.desired().path("metadata").path("annotations")
          .path("helm.sh/resource-policy").asText())) {
        continue;
      }
      // Deletions after every create and patch (phase 4), as Helm deletes once the update succeeded.
      writes.add(new ReleaseWriter.Write(4, new ApiCalls.Call("DELETE",
          old.resource().object(writer.namespaceOf(old.desired()), old.object().name()), "application/json",
          Map.of("propagationPolicy", "Background")), old.object().describe()));
      deleted++;
    }

    JsonNode chartJson = ReleaseRecord.chart(chart);
    int revision = version(last) + 1;
    Instant started = Instant.now();
    Instant firstDeployed = parseInstant(current.path("info").path("first_deployed").asText(null), started);
    ObjectNode pending = ReleaseRecord.release(name, namespace, revision, "pending-upgrade",
        "Preparing upgrade", chartJson, values, rendered.releaseManifest(), firstDeployed, started);
    writer.createRecord(pending, started);
    List<String> failures;
    try {
      failures = writer.apply(writes);
      if (failures.isEmpty()) {
        failures = writer.apply(writes.stream().filter(w -> w.phase() == 4)
            .map(w -> new ReleaseWriter.Write(0, w.call(), w.describe())).toList());
      }
    } catch (RuntimeException e) {
      // The API server went away mid-way: the record must not stay pending (that would block every later upgrade).
      failures = List.of(e.getMessage());
    }
    Instant done = Instant.now();
    if (!failures.isEmpty()) {
      String reason = ReleaseWriter.summary(failures);
      writer.api.one(writer.updateRecord(ReleaseRecord.withStatus(pending, "failed",
          "Upgrade \"" + name + "\" failed: " + reason), done));
      throw new KubeException("upgrade of release " + name + " in namespace " + namespace + " failed: " + reason);
    }
    List<ApiCalls.Call> records = new ArrayList<>();
    if (deployedSecret.path("metadata").path("labels").path("status").asText().equals("deployed")) {
      records.add(writer.updateRecord(ReleaseRecord.withStatus(current, "superseded", null), done));
    }
    records.add(writer.updateRecord(ReleaseRecord.withStatus(pending, "deployed", "Upgrade complete"), done));
    for (ApiCalls.Response response : writer.api.all(records)) {
      writer.check(response, "update release records");
    }
    prune(writer, revisions);
    return new ReleaseApplied(name, namespace, revision, "deployed", ReleaseWriter.chartName(chartJson),
        ReleaseWriter.appVersion(chartJson), "fast",
        new ReleaseApplied.Changes(created, updated, drifted, deleted, unchanged, driftCheck));
  }

  private record Target(ManifestObject object, ApiResources.Resource resource, ObjectNode desired) {}

  private static String key(ObjectNode desired, ApiResources.Resource resource) {
    String apiVersion = resource.apiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    return group + "/" + resource.kind() + "/" + desired.path("metadata").path("namespace").asText("") + "/"
        + desired.path("metadata").path("name").asText();
  }

  /** The live objects of the kinds the release renders: one LIST per kind and namespace, sent together. */
  private Map<String, JsonNode> live(ReleaseWriter writer, Map<String, Target> targets) {
    Map<String, ApiResources.Resource> lists = new LinkedHashMap<>();
    for (Target target : targets.values()) {
      String listed = target.resource().namespaced()
          ? target.resource().collection(writer.namespaceOf(target.desired()))
          : target.resource().object(null, target.object().name());
      lists.put(listed, target.resource());
    }
    List<String> paths = new ArrayList<>(lists.keySet());
    List<ApiCalls.Response> responses = writer.api.all(paths.stream()
        .map(p -> new ApiCalls.Call("GET", p, null, null)).toList());
    Map<String, JsonNode> live = new HashMap<>();
    for (int i = 0; i < paths.size(); i++) {
      ApiCalls.Response response = responses.get(i);
      ApiResources.Resource resource = lists.get(paths.get(i));
      if (response.code() == 404) {
        continue;
      }
      writer.check(response, "read live " + resource.plural());
      JsonNode body = response.body();
      List<JsonNode> items = new ArrayList<>();
      if (body.has("items")) {
        body.path("items").forEach(items::add);
      } else {
        items.add(body);
      }
      for (JsonNode item : items) {
        // A LIST's items carry no apiVersion and kind: the list's own.
        ((ObjectNode) item).put("apiVersion", resource.apiVersion()).put("kind", resource.kind());
        live.put(key((ObjectNode) item, resource), item);
      }
    }
    return live;
  }

  private boolean ownedByRelease(JsonNode live) {
    JsonNode annotations = live.path("metadata").path("annotations");
    return name.equals(annotations.path("meta.helm.sh/release-name").asText())
        && namespace.equals(annotations.path("meta.helm.sh/release-namespace").asText());
  }

  /** Deletes the oldest records beyond the history limit, as Helm does after an upgrade. */
  private void prune(ReleaseWriter writer, List<JsonNode> revisions) {
    int excess = revisions.size() + 1 - historyMax;
    if (historyMax <= 0 || excess <= 0) {
      return;
    }
    writer.api.all(revisions.subList(0, Math.min(excess, revisions.size() - 1)).stream()
        .map(r -> new ApiCalls.Call("DELETE", "/api/v1/namespaces/" + namespace + "/secrets/"
            + r.path("metadata").path("name").asText(), "application/json", Map.of()))
        .toList());
  }

  private static int version(JsonNode secret) {
    return Integer.parseInt(secret.path("metadata").path("labels").path("version").asText("0"));
  }

  private static Instant parseInstant(String text, Instant fallback) {
    try {
      return text == null ? fallback : java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return fallback;
    }
  }
}
