package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.base.Ports;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's Kubernetes layer against a real kube-apiserver + controller manager (no mocks, no shims). */
@WithControlPlane
class KubeLayerTest {

  @Nested
  class HelmReleasesOnARealApiServer {

    @Test
    void installUpgradeRollbackUninstallAgreeAcrossListStatusAndHistory(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns, KubernetesClient admin) throws Exception {
      Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        HelmReleases helm = kube.releases();

        HelmReleases.Release installed = helm.install("web", ns, chart, Map.of());
        assertThat(installed).isEqualTo(
            new HelmReleases.Release("web", ns, 1, "deployed", "demo-app-0.1.0", "1.0.0"));
        assertThat(message(admin, ns)).isEqualTo("hello");
        assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
            .isEqualTo(1);

        HelmReleases.Release upgraded = helm.upgrade("web", ns, chart, Map.of("message", "upgraded", "replicas", 3));
        assertThat(upgraded.revision()).isEqualTo(2);
        assertThat(message(admin, ns)).isEqualTo("upgraded");
        assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
            .isEqualTo(3);

        HelmReleases.Release rolledBack = helm.rollback("web", ns, 1);
        assertThat(rolledBack.revision()).isEqualTo(3);
        assertThat(message(admin, ns)).isEqualTo("hello");
        assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
            .isEqualTo(1);

        assertThat(helm.list(ns)).containsExactly(rolledBack);
        assertThat(helm.status("web", ns)).isEqualTo(rolledBack)
            .extracting(HelmReleases.Release::status, HelmReleases.Release::chart)
            .containsExactly("deployed", "demo-app-0.1.0");
        assertThat(helm.history("web", ns))
            .extracting(HelmReleases.Revision::revision, HelmReleases.Revision::status,
                HelmReleases.Revision::chart, HelmReleases.Revision::description)
            .containsExactly(
                tuple(1, "superseded", "demo-app-0.1.0", "Install complete"),
                tuple(2, "superseded", "demo-app-0.1.0", "Upgrade complete"),
                tuple(3, "deployed", "demo-app-0.1.0", "Rollback to 1"));

        helm.uninstall("web", ns);
        assertThat(helm.list(ns)).isEmpty();
        assertThat(admin.configMaps().inNamespace(ns).withName("web-config").get()).isNull();
        assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get()).isNull();
      }
    }

    @Test
    void upgradeTakesValuesFilesLikeInstallAndInstallOrUpgradeStartsAtRevisionOne(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns, KubernetesClient admin, @TempDir Path tmp) throws Exception {
      Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
      Path base = Files.writeString(tmp.resolve("base.yaml"), "message: from-base\nreplicas: 2\n");
      Path override = Files.writeString(tmp.resolve("override.yaml"), "message: from-override\n");
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        HelmReleases helm = kube.releases();

        HelmReleases.Release installed = helm.installOrUpgrade("web", ns, chart, List.of(base));
        assertThat(installed.revision()).isEqualTo(1);
        assertThat(message(admin, ns)).isEqualTo("from-base");

        HelmReleases.Release upgraded = helm.upgrade("web", ns, chart, List.of(base, override));
        assertThat(upgraded.revision()).isEqualTo(2);
        assertThat(message(admin, ns)).isEqualTo("from-override");
        assertThat(admin.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
            .isEqualTo(2);

        HelmReleases.Release again = helm.installOrUpgrade("web", ns, chart, List.of());
        assertThat(again.toMap()).containsExactly(Map.entry("name", "web"), Map.entry("namespace", ns),
            Map.entry("revision", 3), Map.entry("status", "deployed"), Map.entry("chart", "demo-app-0.1.0"),
            Map.entry("appVersion", "1.0.0"));
        assertThat(helm.history("web", ns).get(2).toMap()).containsEntry("description", "Upgrade complete");
      }
    }

    @Test
    void rollingBackToARevisionThatNeverExistedNamesTheReleaseAndRevision(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns) throws Exception {
      Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        kube.releases().install("web", ns, chart, Map.of());
        assertThatThrownBy(() -> kube.releases().rollback("web", ns, 7))
            .isExactlyInstanceOf(KubeException.class)
            .hasMessage("helm rollback web in namespace " + ns + ": release has no revision 7");
        assertThat(kube.releases().history("web", ns)).hasSize(1);
      }
    }

    @Test
    void rollingBackValuesThatHoldASecretLeavesNoCopyOfThemBehind(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns, KubernetesClient admin) throws Exception {
      Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
      String canary = "canary-" + java.util.UUID.randomUUID();
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        kube.releases().install("web", ns, chart, Map.of("message", canary));
        kube.releases().upgrade("web", ns, chart, Map.of("message", "public"));

        kube.releases().rollback("web", ns, 1);

        assertThat(message(admin, ns)).isEqualTo(canary);
      }
      try (var leftovers = Files.list(tmp)) {
        assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("stackpipe-rollback-"));
      }
    }

    private String message(KubernetesClient admin, String ns) {
      return admin.configMaps().inNamespace(ns).withName("web-config").get().getData().get("message");
    }
  }

  @Nested
  class NamespacesAsStacks {

    @Test
    void createCarriesLabelsAndAnnotations(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
      String name = ns + "-stack";
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        kube.namespaces().create(name, Map.of("stackpipe.io/stack", "ephemeral", "team", "payments"),
            Map.of("stackpipe.io/owner", "jenkins #42"));
        try {
          Namespace stored = kube.namespaces().get(name);
          assertThat(stored.getMetadata().getLabels())
              .containsEntry("stackpipe.io/stack", "ephemeral").containsEntry("team", "payments");
          assertThat(stored.getMetadata().getAnnotations()).containsEntry("stackpipe.io/owner", "jenkins #42");
          assertThatThrownBy(() -> kube.namespaces().create(name, Map.of(), Map.of()))
              .hasMessage("namespace " + name + " already exists");
        } finally {
          // No wait (the namespace controller holds every deletion 5 s): deleteAndWait has its own test below.
          kube.client().namespaces().withName(name).delete();
        }
      }
    }

    @Test
    void setBasedSelectorsPickExactlyTheMatchingNamespaces(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        Namespaces namespaces = kube.namespaces();
        // A label unique to this test keeps other tests' namespaces out of every selection.
        Map<String, String> run = Map.of("run", ns);
        namespaces.create(ns + "-a", merge(run, Map.of("tier", "web", "legacy", "true")), Map.of());
        namespaces.create(ns + "-b", merge(run, Map.of("tier", "api")), Map.of());
        namespaces.create(ns + "-c", merge(run, Map.of("tier", "batch")), Map.of());
        namespaces.create(ns + "-d", run, Map.of());
        try {
          Selector inRun = Selector.all().in("run", ns);
          assertThat(names(namespaces.list(inRun.in("tier", "web", "api")))).containsExactly(ns + "-a", ns + "-b");
          // notin also matches namespaces without the key at all, as Kubernetes defines it.
          assertThat(names(namespaces.list(inRun.notIn("tier", "web", "api")))).containsExactly(ns + "-c", ns + "-d");
          assertThat(names(namespaces.list(inRun.doesNotExist("legacy"))))
              .containsExactly(ns + "-b", ns + "-c", ns + "-d");
          assertThat(names(namespaces.list(inRun.exists("tier").doesNotExist("legacy"))))
              .containsExactly(ns + "-b", ns + "-c");
          assertThat(names(namespaces.list(Selector.parse("run in (" + ns + "),tier notin (batch),!legacy"))))
              .containsExactly(ns + "-b", ns + "-d");
        } finally {
          for (String suffix : List.of("-a", "-b", "-c", "-d")) {
            kube.client().namespaces().withName(ns + suffix).delete();
          }
        }
      }
    }

    @Test
    void ensureCreatesANamespaceOnceAndLeavesAnExistingOneAsItIs(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns) {
      String name = ns + "-ensured";
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        kube.namespaces().ensure(name, Map.of("stackpipe.io/stack", "first"), Map.of());
        Namespace again = kube.namespaces().ensure(name, Map.of("stackpipe.io/stack", "second"), Map.of());

        assertThat(again.getMetadata().getLabels()).containsEntry("stackpipe.io/stack", "first");
        kube.client().namespaces().withName(name).delete();
      }
    }

    @Test
    void deleteAndWaitReturnsOnlyOnceTheNamespaceAndItsContentsAreGone(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns) {
      String name = ns + "-doomed";
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        kube.namespaces().create(name, Map.of(), Map.of());
        kube.client().configMaps().inNamespace(name).resource(configMap("content", "x")).create();

        assertThat(kube.namespaces().deleteAndWait(name, Duration.ofSeconds(60))).isTrue();

        assertThat(kube.namespaces().get(name)).isNull();
        assertThat(kube.client().configMaps().inNamespace(name).list().getItems()).isEmpty();
        assertThat(kube.namespaces().deleteAndWait(name, Duration.ofSeconds(5))).isFalse();
      }
    }

    private List<String> names(List<Namespace> namespaces) {
      return namespaces.stream().map(n -> n.getMetadata().getName()).toList();
    }

    private Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
      var all = new java.util.HashMap<>(a);
      all.putAll(b);
      return all;
    }
  }

  @Nested
  class OptimisticConcurrency {

    @Test
    void ofTwoWritersHoldingTheSameResourceVersionTheSecondGetsATypedConflict(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns, KubernetesClient admin) {
      admin.configMaps().inNamespace(ns).resource(configMap("promotion", "v1")).create();
      try (KubeConnection first = KubeConnection.fromKubeconfig(kubeconfig, null);
          KubeConnection second = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        ConfigMap readByFirst = first.client().configMaps().inNamespace(ns).withName("promotion").get();
        ConfigMap readBySecond = second.client().configMaps().inNamespace(ns).withName("promotion").get();
        String version = readBySecond.getMetadata().getResourceVersion();

        readByFirst.getData().put("version", "v2-first");
        ConfigMap written = first.objects().updateIfUnchanged(readByFirst);
        assertThat(written.getMetadata().getResourceVersion()).isNotEqualTo(version);

        readBySecond.getData().put("version", "v2-second");
        assertThatThrownBy(() -> second.objects().updateIfUnchanged(readBySecond))
            .isInstanceOfSatisfying(KubeConflictException.class, e -> {
              assertThat(e.kind()).isEqualTo("ConfigMap");
              assertThat(e.namespace()).isEqualTo(ns);
              assertThat(e.name()).isEqualTo("promotion");
              assertThat(e.staleResourceVersion()).isEqualTo(version);
              assertThat(e.getCause()).isInstanceOfSatisfying(KubernetesClientException.class,
                  c -> assertThat(c.getCode()).isEqualTo(409));
            })
            .hasMessage("conflict: ConfigMap " + ns + "/promotion changed since it was read at resourceVersion "
                + version + "; re-read it and retry");
      }
      assertThat(admin.configMaps().inNamespace(ns).withName("promotion").get().getData())
          .containsEntry("version", "v2-first");
    }

    @Test
    void anUpdateOfAnObjectThatWasNeverReadIsRefusedBeforeAnyRequest(@KubeConfigPath Path kubeconfig) {
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        assertThatThrownBy(() -> kube.objects().updateIfUnchanged(configMap("fresh", "v1")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("ConfigMap fresh has no resourceVersion: read it first, then update what was read");
      }
    }
  }

  @Nested
  class PermissionErrors {

    /** alice may only work with ConfigMaps in the test namespace. */
    private Path alice(ControlPlane plane, KubernetesClient admin, String ns, Path dir) {
      admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("configmaps")
          .endMetadata().addNewRule().withApiGroups("").withResources("configmaps")
          .withVerbs("get", "list", "create", "update").endRule().build()).create();
      admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata()
          .withName("alice-configmaps").endMetadata()
          .withNewRoleRef("rbac.authorization.k8s.io", "Role", "configmaps")
          .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("alice").endSubject()
          .build()).create();
      return plane.writeKubeconfig(dir.resolve("alice.kubeconfig"), "alice", Set.of("developers"));
    }

    @Test
    void aUserWithoutClusterRightsIsToldInOneLineWhatWasForbidden(ControlPlane plane, KubernetesClient admin,
        @TestNamespace String ns, @TempDir Path tmp) {
      try (KubeConnection kube = KubeConnection.fromKubeconfig(alice(plane, admin, ns, tmp), null)) {
        // The credential itself works: what alice may do succeeds.
        kube.client().configMaps().inNamespace(ns).resource(configMap("allowed", "v1")).create();

        assertThatThrownBy(() -> kube.namespaces().create(ns + "-alice", Map.of(), Map.of()))
            .isInstanceOfSatisfying(KubeAccessDeniedException.class, e -> {
              assertThat(e.user()).isEqualTo("alice");
              assertThat(e.verb()).isEqualTo("create");
              assertThat(e.resource()).isEqualTo("namespaces");
              assertThat(e.namespace()).isNull();
            })
            .hasMessage("forbidden: user \"alice\" cannot create namespaces at cluster scope");
        assertThatThrownBy(() -> kube.namespaces().list(Selector.all()))
            .hasMessage("forbidden: user \"alice\" cannot list namespaces at cluster scope");
      }
      assertThat(admin.namespaces().withName(ns + "-alice").get()).isNull();
    }

    @Test
    void helmThroughALimitedUserReportsTheForbiddenResourceAndNamespace(ControlPlane plane, KubernetesClient admin,
        @TestNamespace String ns, @TempDir Path tmp) throws Exception {
      Path chart = Path.of(getClass().getResource("/charts/demo-app").toURI());
      try (KubeConnection kube = KubeConnection.fromKubeconfig(alice(plane, admin, ns, tmp), null)) {
        // Helm checks each chart object before it installs: the ConfigMap is alice's to read, the Deployment is not.
        assertThatThrownBy(() -> kube.releases().install("web", ns, chart, Map.of()))
            .isInstanceOf(KubeAccessDeniedException.class)
            .hasMessage("forbidden: user \"alice\" cannot get deployments.apps in namespace " + ns);
      }
      assertThat(admin.configMaps().inNamespace(ns).withName("web-config").get()).isNull();
    }
  }

  @Nested
  class InClusterServiceAccount {

    @Test
    void aPodsMountedTokenConnectsAsItsServiceAccountWithOnlyItsRbacRights(ControlPlane plane,
        KubernetesClient admin, @TestNamespace String ns, @TempDir Path mount) throws Exception {
      admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata()
          .withName("deployer").endMetadata().build()).create();
      admin.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("read-configmaps")
          .endMetadata().addNewRule().withApiGroups("").withResources("configmaps").withVerbs("list").endRule()
          .build()).create();
      admin.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata()
          .withName("deployer").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "read-configmaps")
          .addNewSubject().withKind("ServiceAccount").withName("deployer").withNamespace(ns).endSubject()
          .build()).create();
      // What the kubelet mounts into a pod: a projected token, the cluster CA, the namespace.
      String token = admin.serviceAccounts().inNamespace(ns).withName("deployer").tokenRequest(
          new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build())
          .getStatus().getToken();
      Files.writeString(mount.resolve("token"), token);
      Files.copy(plane.caCertificate(), mount.resolve("ca.crt"));
      Files.writeString(mount.resolve("namespace"), ns);
      Map<String, String> podEnv = Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1",
          "KUBERNETES_SERVICE_PORT", Integer.toString(plane.server().getPort()));

      try (KubeConnection kube = KubeConnection.inCluster(podEnv, mount)) {
        assertThat(kube.source()).isEqualTo("in-cluster service account");
        assertThat(kube.kubeconfig()).isNull();
        assertThat(kube.client().getNamespace()).isEqualTo(ns);
        assertThat(kube.client().configMaps().inNamespace(ns).list().getItems())
            .extracting(c -> c.getMetadata().getName()).contains("kube-root-ca.crt");
        assertThatThrownBy(() -> kube.namespaces().create(ns + "-sa", Map.of(), Map.of()))
            .hasMessage("forbidden: user \"system:serviceaccount:" + ns + ":deployer\" cannot create namespaces"
                + " at cluster scope");
      }
    }

    @Test
    void outsideAPodTheConnectionSaysWhatIsMissing(@TempDir Path emptyMount) {
      assertThatThrownBy(() -> KubeConnection.inCluster(Map.of(), emptyMount))
          .hasMessage("not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST is unset");
      assertThatThrownBy(() -> KubeConnection.inCluster(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), emptyMount))
          .hasMessage("not running in a Kubernetes pod: " + emptyMount.resolve("token") + " is missing");
    }
  }

  @Nested
  class Resolution {

    @Test
    void anExplicitKubeconfigWinsOverKubeconfigFromTheEnvironment(@KubeConfigPath Path kubeconfig,
        @TempDir Path tmp) {
      Path missing = tmp.resolve("from-env.yaml");
      try (KubeConnection kube = KubeConnection.resolve(kubeconfig, Map.of("KUBECONFIG", missing.toString()), tmp)) {
        assertThat(kube.source()).isEqualTo("kubeconfig " + kubeconfig);
      }
      try (KubeConnection kube = KubeConnection.resolve(null, Map.of("KUBECONFIG", kubeconfig + ":" + missing), tmp)) {
        assertThat(kube.kubeconfig()).isEqualTo(kubeconfig.toAbsolutePath());
      }
      assertThatThrownBy(() -> KubeConnection.resolve(null, Map.of("KUBECONFIG", missing.toString()), tmp))
          .hasMessage("kubeconfig " + missing + ": no such file");
    }

    @Test
    void withoutKubeconfigOrPodARunningDemoClusterComesBeforeTheHomeKubeconfig(@KubeConfigPath Path kubeconfig,
        @TempDir Path home) throws Exception {
      assertThatThrownBy(() -> KubeConnection.resolve(null, Map.of(), home))
          .hasMessage("no Kubernetes cluster configured: name a kubeconfig file, set KUBECONFIG, run in a pod with a"
              + " service account, or start the local one with `stackpipe cluster start`")
          .extracting(e -> ((KubeException) e).field()).isEqualTo(java.util.Optional.of("kubeconfig"));

      Files.createDirectories(home.resolve(".kube"));
      Files.copy(kubeconfig, home.resolve(".kube/config"));
      try (KubeConnection kube = KubeConnection.resolve(null, Map.of(), home)) {
        assertThat(kube.source()).isEqualTo("kubeconfig " + home.resolve(".kube/config"));
      }

      Path demo = KubeConnection.demoKubeconfig(home);
      Files.createDirectories(demo.getParent());
      Files.copy(kubeconfig, demo);
      try (KubeConnection kube = KubeConnection.resolve(null, Map.of(), home)) {
        assertThat(kube.source()).isEqualTo("the local demo cluster (" + demo + ")");
        assertThat(kube.kubeconfig()).isEqualTo(demo.toAbsolutePath());
        assertThat(kube.namespaces().get("default")).isNotNull();
      }
    }
  }

  @Nested
  class ConnectionErrors {

    @Test
    void aMissingKubeconfigIsNamed(@TempDir Path tmp) {
      Path missing = tmp.resolve("nope.yaml");
      assertThatThrownBy(() -> KubeConnection.fromKubeconfig(missing, null))
          .hasMessage("kubeconfig " + missing + ": no such file");
    }

    @Test
    void anUnreachableServerIsReportedInOneLine(@KubeConfigPath Path kubeconfig, @TempDir Path tmp) throws Exception {
      int closedPort = Ports.free();
      String admin = Files.readString(kubeconfig);
      Path dead = tmp.resolve("dead.kubeconfig");
      Files.writeString(dead, admin.replaceAll("server: https://127\\.0\\.0\\.1:\\d+",
          "server: https://127.0.0.1:" + closedPort));
      try (KubeConnection kube = KubeConnection.fromKubeconfig(dead, null)) {
        assertThatThrownBy(() -> kube.namespaces().list(Selector.all()))
            .isExactlyInstanceOf(KubeException.class)
            .hasMessageStartingWith("cannot reach the Kubernetes API at https://127.0.0.1:" + closedPort
                + "/ (kubeconfig " + dead + "): ")
            .hasMessageNotContaining("\n");
      }
    }
  }

  private static ConfigMap configMap(String name, String version) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
        .addToData("version", version).build();
  }
}
