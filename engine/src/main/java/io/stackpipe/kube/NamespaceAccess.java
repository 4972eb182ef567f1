package io.stackpipe.kube;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A credential for one namespace only, for code Stackpipe runs but does not trust with its own credential — a
 * gate's system tests, written by every service's team: a ServiceAccount of that namespace with a Role there
 * ({@link #RULES}: the namespace's workloads and their configuration, logs, exec, port-forward; no RBAC, no
 * other namespace, nothing cluster-wide), and a token for it from the TokenRequest API that expires by itself.
 * {@link #revoke()} deletes the ServiceAccount, which invalidates its tokens at once; deleting the namespace does
 * too. The installation's identity must hold what the Role grants (Kubernetes refuses to grant more than the
 * granter has; cluster-admin does).
 */
public final class NamespaceAccess {
  public static final String ACCOUNT = "stackpipe-system-tests";
  private static final List<String> ALL = List.of("get", "list", "watch", "create", "update", "patch", "delete",
      "deletecollection");
  private static final List<String> READ = List.of("get", "list", "watch");
  // What a system test does with a stack: its workloads and their configuration, logs, exec and port-forward;
  // read-only what controllers own. No RBAC, no quotas, nothing of another namespace or of the cluster.
  static final List<PolicyRule> RULES = List.of(
      rule("", List.of("pods", "pods/log", "pods/exec", "pods/attach", "pods/portforward", "services",
          "services/proxy", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"), ALL),
      rule("", List.of("endpoints", "events", "pods/status", "replicationcontrollers"), READ),
      rule("apps", List.of("deployments", "deployments/scale", "statefulsets", "statefulsets/scale",
          "daemonsets", "replicasets", "replicasets/scale"), ALL),
      rule("batch", List.of("jobs", "cronjobs"), ALL),
      rule("autoscaling", List.of("horizontalpodautoscalers"), ALL),
      rule("networking.k8s.io", List.of("ingresses", "networkpolicies"), ALL),
      rule("policy", List.of("poddisruptionbudgets"), ALL),
      rule("discovery.k8s.io", List.of("endpointslices"), READ),
      rule("events.k8s.io", List.of("events"), READ));

  private final KubeConnection kube;
  private final String namespace;
  private final String token;

  private NamespaceAccess(KubeConnection kube, String namespace, String token) {
    this.kube = kube;
    this.namespace = namespace;
    this.token = token;
  }

  private static PolicyRule rule(String group, List<String> resources, List<String> verbs) {
    return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(verbs).build();
  }

  /** Creates (or reuses) the account, its role and binding in {@code namespace} and a token living {@code lifetime}. */
  public static NamespaceAccess grant(KubeConnection kube, String namespace, Duration lifetime) {
    var client = kube.client();
    Map<String, String> labels = Map.of("app.kubernetes.io/managed-by", "stackpipe");
    try {
      client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
          .withName(ACCOUNT).withLabels(labels).endMetadata().withAutomountServiceAccountToken(false).build())
          .serverSideApply();
      client.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata().withName(ACCOUNT)
          .withLabels(labels).endMetadata().withRules(RULES).build()).serverSideApply();
      client.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder().withNewMetadata()
          .withName(ACCOUNT).withLabels(labels).endMetadata()
          .withNewRoleRef("rbac.authorization.k8s.io", "Role", ACCOUNT)
          .addNewSubject().withKind("ServiceAccount").withName(ACCOUNT).withNamespace(namespace).endSubject()
          .build()).serverSideApply();
      TokenRequest issued = client.serviceAccounts().inNamespace(namespace).withName(ACCOUNT)
          .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(lifetime.toSeconds())
              .endSpec().build());
      return new NamespaceAccess(kube, namespace, issued.getStatus().getToken());
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "grant", "serviceaccounts", namespace);
    }
  }

  /**
   * Writes a kubeconfig of the same cluster (server and CA as this connection uses them) with the token and the
   * namespace as default to {@code file}, which the caller made private; returns the token, to mask in output.
   */
  public Set<String> writeKubeconfig(Path file) {
    Config config = kube.client().getConfiguration();
    Map<String, Object> cluster = new LinkedHashMap<>();
    cluster.put("server", config.getMasterUrl());
    try {
      if (config.getCaCertData() != null && !config.getCaCertData().isBlank()) {
        cluster.put("certificate-authority-data", config.getCaCertData());
      } else if (config.getCaCertFile() != null) {
        cluster.put("certificate-authority-data",
            Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile()))));
      } else if (config.isTrustCerts()) {
        cluster.put("insecure-skip-tls-verify", true);
      }
      Map<String, Object> context = new LinkedHashMap<>();
      context.put("cluster", "stack");
      context.put("user", ACCOUNT);
      context.put("namespace", namespace);
      Map<String, Object> kubeconfig = new LinkedHashMap<>();
      kubeconfig.put("apiVersion", "v1");
      kubeconfig.put("kind", "Config");
      kubeconfig.put("clusters", List.of(Map.of("name", "stack", "cluster", cluster)));
      kubeconfig.put("users", List.of(Map.of("name", ACCOUNT, "user", Map.of("token", token))));
      kubeconfig.put("contexts", List.of(Map.of("name", namespace, "context", context)));
      kubeconfig.put("current-context", namespace);
      Files.writeString(file, SafeYaml.dump(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the kubeconfig for namespace " + namespace, e);
    }
    return Set.of(token);
  }

  /** Deletes the account: its tokens stop working at once. Nothing to do when the namespace is gone. */
  public void revoke() {
    revoke(kube, namespace);
  }

  /** {@link #revoke()} of the access granted in {@code namespace}, from another session than the one that granted it. */
  public static void revoke(KubeConnection kube, String namespace) {
    try {
      kube.client().serviceAccounts().inNamespace(namespace).withName(ACCOUNT).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw kube.translate(e, "delete", "serviceaccounts", namespace);
      }
    }
  }
}
