package io.stackpipe.kube.release;

import io.stackpipe.HelmRuntime;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link ReleaseInstall} and {@link ReleaseUpgrade} share: rendering with Helm, the objects as they are sent
 * (namespace and Helm's ownership metadata set), creation and patching in Helm's kind order, the release records.
 */
final class ReleaseWriter {

  /**
   * Helm's install order up to Services: what workloads need before their pods are made (a pod whose
   * ServiceAccount does not exist is refused by admission; Services before pods give them the service variables).
   */
  private static final List<String> BEFORE_WORKLOADS = List.of("NetworkPolicy", "ResourceQuota", "LimitRange",
      "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap",
      "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "ClusterRole", "ClusterRoleList",
      "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service");
  /** Helm creates these last: an admission webhook or API service must not see the release half made. */
  private static final List<String> LAST = List.of("APIService", "MutatingWebhookConfiguration",
      "ValidatingWebhookConfiguration");

  static final String MERGE_PATCH = "application/merge-patch+json";

  final KubeConnection kube;
  final ApiCalls api;
  final String name;
  final String namespace;

  ReleaseWriter(KubeConnection kube, int parallelism, String name, String namespace) {
    this.kube = kube;
    this.api = new ApiCalls(kube, parallelism);
    this.name = name;
    this.namespace = namespace;
  }

  /** The cluster's version for the render's {@code .Capabilities.KubeVersion}, fetched while other work runs. */
  CompletableFuture<ApiCalls.Response> version() {
    return api.send(new ApiCalls.Call("GET", "/version", null, null));
  }

  /** Every revision of the release (one LIST), fetched while the chart renders. */
  CompletableFuture<ApiCalls.Response> records() {
    return api.send(new ApiCalls.Call("GET", "/api/v1/namespaces/" + namespace + "/secrets?labelSelector="
        + ReleaseRecord.selector(name).replace("=", "%3D").replace(",", "%2C"), null, null));
  }

  /** {@code helm template} through helm-java, values from a 0600 file in a private folder deleted at once. */
  String render(Path chart, String kubeVersion, Path valuesFile) {
    try {
      TemplateCommand template = new Helm(chart).template().withName(name).withNamespace(namespace)
          .withValuesFile(valuesFile);
      if (kubeVersion != null) {
        template.withKubeVersion(kubeVersion);
      }
      return HelmRuntime.call(template::call);
    } catch (IllegalStateException e) {
      throw new KubeException("render " + chart.getFileName() + " for release " + name + ": "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  static Path writeValues(PrivateTempDir temp, Map<String, ?> values) {
    try {
      Path file = temp.newFile("values.json");
      Files.write(file, ApiCalls.JSON.writeValueAsBytes(values));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String gitVersion(CompletableFuture<ApiCalls.Response> version) {
    ApiCalls.Response response = version.join();
    return response.ok() ? response.body().path("gitVersion").asText(null) : null;
  }

  /** The object as it is sent: in the release's namespace when namespaced, with Helm's ownership metadata. */
  ObjectNode desired(ManifestObject object, ApiResources.Resource resource) {
    ObjectNode body = object.body().deepCopy();
    ObjectNode metadata = body.with("metadata");
    if (resource.namespaced()) {
      if (!metadata.hasNonNull("namespace")) {
        metadata.put("namespace", namespace);
      }
    } else {
      metadata.remove("namespace");
    }
    metadata.with("labels").put("app.kubernetes.io/managed-by", "Helm");
    metadata.with("annotations").put("meta.helm.sh/release-name", name)
        .put("meta.helm.sh/release-namespace", namespace);
    return LiveDiff.normalized(body);
  }

  String namespaceOf(ObjectNode desired) {
    return desired.path("metadata").path("namespace").asText(namespace);
  }

  /** 0: namespaces first; 1: what workloads need; 2: workloads and the rest; 3: webhooks and API services. */
  static int phase(String kind) {
    if (kind.equals("Namespace") || kind.equals("PriorityClass")) {
      return 0;
    }
    if (BEFORE_WORKLOADS.contains(kind)) {
      return 1;
    }
    return LAST.contains(kind) ? 3 : 2;
  }

  /** A write to send, and the object it concerns for messages. */
  record Write(int phase, ApiCalls.Call call, String describe) {}

  /**
   * Sends the writes phase by phase, each phase's writes all at once; stops after the first phase with a failure
   * and returns the failures' messages (empty when all succeeded). {@code 404} on a DELETE counts as done.
   */
  List<String> apply(List<Write> writes) {
    List<String> failures = new ArrayList<>();
    for (int phase = 0; phase <= 3 && failures.isEmpty(); phase++) {
      int p = phase;
      List<Write> now = writes.stream().filter(w -> w.phase() == p).toList();
      if (now.isEmpty()) {
        continue;
      }
      List<ApiCalls.Response> responses = api.all(now.stream().map(Write::call).toList());
      for (int i = 0; i < now.size(); i++) {
        ApiCalls.Response response = responses.get(i);
        boolean goneAlready = response.code() == 404 && now.get(i).call().method().equals("DELETE");
        if (!response.ok() && !goneAlready) {
          failures.add(now.get(i).describe() + ": " + (response.code() == 409
              ? "already exists and is not part of release " + name : response.message()));
        }
      }
    }
    return failures;
  }

  /** Creates the record of a new revision; a 409 means another install or upgrade got there first. */
  void createRecord(JsonNode release, java.time.Instant now) {
    ApiCalls.Response created = api.one(new ApiCalls.Call("POST", "/api/v1/namespaces/" + namespace + "/secrets",
        "application/json", ReleaseRecord.secret(release, "createdAt", now)));
    if (created.code() == 409) {
      throw new KubeException("release " + name + " in namespace " + namespace + ": revision "
          + release.path("version").asInt() + " exists already (another install or upgrade is running)");
    }
    check(created, "create release record");
  }

  ApiCalls.Call updateRecord(JsonNode release, java.time.Instant now) {
    ObjectNode secret = ReleaseRecord.secret(release, "modifiedAt", now);
    return new ApiCalls.Call("PUT", "/api/v1/namespaces/" + namespace + "/secrets/"
        + secret.path("metadata").path("name").asText(), "application/json", secret);
  }

  void check(ApiCalls.Response response, String what) {
    if (!response.ok()) {
      throw new KubeException(what + " of release " + name + " in namespace " + namespace + " failed: "
          + response.message());
    }
  }

  static String chartName(JsonNode chart) {
    return chart.path("metadata").path("name").asText() + "-" + chart.path("metadata").path("version").asText();
  }

  static String appVersion(JsonNode chart) {
    return chart.path("metadata").path("appVersion").asText("");
  }

  /** One line for a failed write, with how many others failed too. */
  static String summary(List<String> failures) {
    return failures.get(0) + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "");
  }
}
