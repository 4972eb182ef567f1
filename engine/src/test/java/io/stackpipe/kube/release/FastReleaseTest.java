package io.stackpipe.kube.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeException;
import io.stackpipe.local.HelmCli;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast release path on a real API server, checked with the real Helm CLI (the version helm-java embeds): what
 * Stackpipe writes is a release Helm upgrades, rolls back, lists and uninstalls.
 */
@WithControlPlane
class FastReleaseTest {

  @TempDir
  Path work;
  Path kubeconfig;
  KubeConnection kube;
  HelmCli helm;
  String ns;

  @BeforeEach
  void connect(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) throws Exception {
    this.kubeconfig = kubeconfig;
    this.ns = ns;
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    helm = new HelmCli(kubeconfig, Files.createDirectories(work.resolve("helm-home")));
  }

  @AfterEach
  void disconnect() {
    kube.close();
  }

  /** An umbrella folder with subcharts svc-a and svc-b, each a Deployment, Service, ConfigMap, Secret, SA, Ingress. */
  static Path umbrella(Path dir, String version, String... services) throws Exception {
    Path chart = Files.createDirectories(dir.resolve("platform"));
    Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: platform\nversion: " + version
        + "\nappVersion: \"" + version + "\"\n");
    Files.writeString(chart.resolve("values.yaml"), "{}\n");
    for (String service : services) {
      Path sub = Files.createDirectories(chart.resolve("charts").resolve(service));
      Files.writeString(sub.resolve("Chart.yaml"), "apiVersion: v2\nname: " + service + "\nversion: 1.0.0\n");
      Files.writeString(sub.resolve("values.yaml"), "message: hello\nport: 8080\ningress: true\n");
      Path templates = Files.createDirectories(sub.resolve("templates"));
      // Named templates are global across subcharts: each service's helpers carry its name, as helm create's do.
      Files.writeString(templates.resolve("_helpers.tpl"), "{{- define \"" + service + ".name\" -}}" + service
          + "{{- end }}\n{{- define \"" + service + ".labels\" -}}\napp.kubernetes.io/name: {{ include \""
          + service + ".name\" . }}\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end }}\n");
      String meta = "metadata:\n  name: {{ include \"" + service + ".name\" . }}\n  labels:\n    {{- include \""
          + service + ".labels\" . | nindent 4 }}\n";
      Files.writeString(templates.resolve("objects.yaml"), ""
          + "apiVersion: v1\nkind: ConfigMap\n" + meta + "data:\n  MESSAGE: {{ .Values.message | quote }}\n---\n"
          + "apiVersion: v1\nkind: Secret\n" + meta + "stringData:\n  token: canary-secret-value\n---\n"
          + "apiVersion: v1\nkind: ServiceAccount\n" + meta + "---\n"
          + "apiVersion: v1\nkind: Service\n" + meta + "spec:\n  selector:\n    app.kubernetes.io/name: " + service
          + "\n  ports:\n    - port: {{ .Values.port }}\n---\n"
          + "apiVersion: apps/v1\nkind: Deployment\n" + meta + "spec:\n  replicas: 1\n  selector:\n    matchLabels:\n"
          + "      app.kubernetes.io/name: " + service + "\n  template:\n    metadata:\n      labels:\n"
          + "        app.kubernetes.io/name: " + service + "\n    spec:\n      serviceAccountName: " + service + "\n"
          + "      containers:\n        - name: app\n          image: registry.invalid/" + service + ":1\n"
          + "          volumeMounts:\n            - name: config\n              mountPath: /config\n"
          + "      volumes:\n        - name: config\n          configMap:\n            name: " + service + "\n"
          + "            defaultMode: 0644\n"
          + "{{- if .Values.ingress }}\n---\n"
          + "apiVersion: networking.k8s.io/v1\nkind: Ingress\n" + meta + "spec:\n  rules:\n    - host: " + service
          + ".example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
          + "            backend:\n              service:\n                name: " + service + "\n"
          + "                port:\n                  number: {{ .Values.port }}\n{{- end }}\n");
    }
    return chart;
  }

  private String configMap(String name) {
    var cm = kube.client().configMaps().inNamespace(ns).withName(name).get();
    return cm == null ? null : cm.getData().get("MESSAGE");
  }

  private ReleaseApplied install(Path chart, Map<String, ?> values) {
    return ReleaseInstall.into(kube).withChart(chart).withName("platform").withNamespace(ns).withValues(values)
        .call();
  }

  @Nested
  class Install {

    @Test
    void createsEveryObjectWithHelmsOwnershipAndADeployedRecordTheHelmCliReads() throws Exception {
      Path chart = umbrella(work, "1.0.0", "svc-a", "svc-b");
      ReleaseApplied installed = install(chart, Map.of("svc-a", Map.of("message", "from-values")));

      assertThat(installed.release()).isEqualTo(
          new HelmReleases.Release("platform", ns, 1, "deployed", "platform-1.0.0", "1.0.0"));
      assertThat(installed.path()).isEqualTo("fast");
      assertThat(installed.changes().created()).isEqualTo(12);
      assertThat(configMap("svc-a")).isEqualTo("from-values");
      assertThat(configMap("svc-b")).isEqualTo("hello");
      KubernetesClient client = kube.client();
      var deployment = client.apps().deployments().inNamespace(ns).withName("svc-a").get();
      assertThat(deployment.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "Helm");
      assertThat(deployment.getMetadata().getAnnotations()).containsEntry("meta.helm.sh/release-name", "platform")
          .containsEntry("meta.helm.sh/release-namespace", ns);
      // Go reads 0644 as octal: the API server holds 420, as after helm install.
      assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().getDefaultMode())
          .isEqualTo(420);
      assertThat(client.secrets().inNamespace(ns).withName("svc-b").get().getData())
          .containsEntry("token", java.util.Base64.getEncoder().encodeToString("canary-secret-value".getBytes()));

      var record = client.secrets().inNamespace(ns).withName("sh.helm.release.v1.platform.v1").get();
      assertThat(record.getType()).isEqualTo("helm.sh/release.v1");
      assertThat(record.getMetadata().getLabels()).containsEntry("owner", "helm").containsEntry("name", "platform")
          .containsEntry("status", "deployed").containsEntry("version", "1");

      assertThat(helm.run("status", "platform", "-n", ns).orFail()).contains("STATUS: deployed")
          .contains("REVISION: 1");
      assertThat(helm.run("get", "values", "platform", "-n", ns, "-o", "json").orFail())
          .contains("\"message\":\"from-values\"");
      String manifest = helm.run("get", "manifest", "platform", "-n", ns).orFail();
      assertThat(manifest).contains("# Source: platform/charts/svc-a/templates/objects.yaml")
          .contains("kind: Deployment");
      assertThat(helm.run("template", "platform", chart.toString(), "-n", ns, "--set",
          "svc-a.message=from-values").orFail().strip()).isEqualTo(manifest.strip());
      assertThat(kube.releases().history("platform", ns)).extracting(HelmReleases.Revision::description)
          .containsExactly("Install complete");
    }

    @Test
    void theHelmCliUpgradesRollsBackAndUninstallsIt() throws Exception {
      Path chart = umbrella(work, "1.0.0", "svc-a", "svc-b");
      install(chart, Map.of());

      helm.run("upgrade", "platform", chart.toString(), "-n", ns, "--set", "svc-a.message=by-helm").orFail();
      assertThat(configMap("svc-a")).isEqualTo("by-helm");
      helm.run("rollback", "platform", "1", "-n", ns).orFail();
      assertThat(configMap("svc-a")).isEqualTo("hello");
      assertThat(helm.run("history", "platform", "-n", ns).orFail().lines().skip(1)
          .map(l -> l.split("\\t")[0].strip() + " " + l.split("\\t")[2].strip()).toList())
          .containsExactly("1 superseded", "2 superseded", "3 deployed");

      helm.run("uninstall", "platform", "-n", ns).orFail();
      assertThat(kube.client().apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(configMap("svc-a")).isNull();
      assertThat(kube.client().secrets().inNamespace(ns).withLabel("owner", "helm").list().getItems()).isEmpty();
    }

    @Test
    void aSecondInstallOfTheSameNameIsRefusedAndChangesNothing() throws Exception {
      Path chart = umbrella(work, "1.0.0", "svc-a");
      install(chart, Map.of());
      assertThatThrownBy(() -> install(chart, Map.of("svc-a", Map.of("message", "again"))))
          .isInstanceOf(KubeException.class)
          .hasMessage("release platform in namespace " + ns + " exists already: upgrade it, or uninstall it first");
      assertThat(configMap("svc-a")).isEqualTo("hello");
    }

    @Test
    void anObjectThatExistsOutsideTheReleaseFailsTheInstallAndTheRecordSaysFailed() throws Exception {
      kube.client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
          .withName("svc-a").endMetadata().addToData("MESSAGE", "someone else's").build()).create();
      Path chart = umbrella(work, "1.0.0", "svc-a");
      assertThatThrownBy(() -> install(chart, Map.of()))
          .isInstanceOf(KubeException.class)
          .hasMessage("install of release platform in namespace " + ns + " failed: ConfigMap svc-a: already exists"
              + " and is not part of release platform");
      assertThat(configMap("svc-a")).isEqualTo("someone else's");
      assertThat(kube.releases().history("platform", ns)).extracting(HelmReleases.Revision::status)
          .containsExactly("failed");
    }
  }

  @Nested
  class Upgrade {

    private ReleaseApplied upgrade(Path chart, Map<String, ?> values, DriftCheck drift) {
      return ReleaseUpgrade.of(kube).withChart(chart).withName("platform").withNamespace(ns).withValues(values)
          .withDriftCheck(drift).call();
    }

    @Test
    void patchesOnlyTheChangedObjectsAndSupersedesThePreviousRevision() throws Exception {
      Path chart = umbrella(work, "1.0.0", "svc-a", "svc-b");
      install(chart, Map.of());
      Path next = umbrella(work.resolve("next"), "1.1.0", "svc-a", "svc-b");

      ReleaseApplied upgraded = upgrade(next, Map.of("svc-b", Map.of("message", "changed")), DriftCheck.CORRECT);

      assertThat(upgraded.release()).isEqualTo(
          new HelmReleases.Release("platform", ns, 2, "deployed", "platform-1.1.0", "1.1.0"));
      assertThat(upgraded.changes()).isEqualTo(new ReleaseApplied.Changes(0, 1, 0, 0, 11, DriftCheck.CORRECT));
      assertThat(configMap("svc-b")).isEqualTo("changed");
      assertThat(kube.releases().history("platform", ns))
          .extracting(HelmReleases.Revision::revision, HelmReleases.Revision::status, HelmReleases.Revision::chart)
          .containsExactly(org.assertj.core.api.Assertions.tuple(1, "superseded", "platform-1.0.0"),
              org.assertj.core.api.Assertions.tuple(2, "deployed", "platform-1.1.0"));

      helm.run("rollback", "platform", "1", "-n", ns).orFail();
      assertThat(configMap("svc-b")).isEqualTo("hello");
      ReleaseApplied again = upgrade(next, Map.of("svc-b", Map.of("message", "again")), DriftCheck.CORRECT);
      assertThat(again.revision()).isEqualTo(4);
      assertThat(configMap("svc-b")).isEqualTo("again");
      // Without values, helm upgrade reuses the stored config: the CLI reads what Stackpipe recorded.
      helm.run("upgrade", "platform", chart.toString(), "-n", ns).orFail();
      assertThat(configMap("svc-b")).isEqualTo("again");
      helm.run("upgrade", "platform", chart.toString(), "-n", ns, "--reset-values").orFail();
      assertThat(configMap("svc-b")).isEqualTo("hello");
    }

    @Test
    void createsNewObjectsAndDeletesTheOnesNoLongerRendered() throws Exception {
      install(umbrella(work, "1.0.0", "svc-a"), Map.of());
      Path next = umbrella(work.resolve("next"), "1.1.0", "svc-a", "svc-b");

      ReleaseApplied upgraded = upgrade(next, Map.of("svc-a", Map.of("ingress", false)), DriftCheck.CORRECT);

      assertThat(upgraded.changes()).isEqualTo(new ReleaseApplied.Changes(6, 0, 0, 1, 5, DriftCheck.CORRECT));
      assertThat(kube.client().network().v1().ingresses().inNamespace(ns).list().getItems())
          .extracting(i -> i.getMetadata().getName()).containsExactly("svc-b");
      assertThat(configMap("svc-b")).isEqualTo("hello");
    }

    @Test
    void putsBackHandEditedAndDeletedObjectsByDefaultAndLeavesThemWithChangedOnly() throws Exception {
      Path chart = umbrella(work, "1.0.0", "svc-a", "svc-b");
      install(chart, Map.of());
      kube.client().configMaps().inNamespace(ns).withName("svc-a").edit(cm -> {
        cm.getData().put("MESSAGE", "edited by hand");
        return cm;
      });
      kube.client().services().inNamespace(ns).withName("svc-b").delete();
      kube.client().services().inNamespace(ns).withName("svc-b").waitUntilCondition(s -> s == null,
          10, java.util.concurrent.TimeUnit.SECONDS);

      ReleaseApplied changedOnly = upgrade(chart, Map.of(), DriftCheck.CHANGED_ONLY);
      assertThat(changedOnly.changes()).isEqualTo(
          new ReleaseApplied.Changes(0, 0, 0, 0, 12, DriftCheck.CHANGED_ONLY));
      assertThat(configMap("svc-a")).isEqualTo("edited by hand");

      ReleaseApplied corrected = upgrade(chart, Map.of(), DriftCheck.CORRECT);
      assertThat(corrected.changes()).isEqualTo(new ReleaseApplied.Changes(1, 1, 1, 0, 10, DriftCheck.CORRECT));
      assertThat(configMap("svc-a")).isEqualTo("hello");
      assertThat(kube.client().services().inNamespace(ns).withName("svc-b").get()).isNotNull();

      ReleaseApplied steady = upgrade(chart, Map.of(), DriftCheck.CORRECT);
      assertThat(steady.changes().updated()).as("defaults the API server added are no drift").isZero();
    }

    @Test
    void aReleaseThatWasNeverInstalledIsNamed() throws Exception {
      Path chart = umbrella(work, "1.0.0", "svc-a");
      assertThatThrownBy(() -> upgrade(chart, Map.of(), DriftCheck.CORRECT))
          .isInstanceOf(KubeException.class)
          .hasMessage("release platform in namespace " + ns + " is not installed");
    }
  }
}
