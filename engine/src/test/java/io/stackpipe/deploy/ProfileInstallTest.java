package io.stackpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.FileTrees;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A built chart installed with a profile packaged inside it, on a real control plane. */
@WithControlPlane
class ProfileInstallTest {

  @TempDir
  Path work;
  Path artifact;

  @BeforeEach
  void buildOrders() {
    Path root = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
    Path source = TestFiles.copyTree(root.resolve("examples/services/orders"), work.resolve("orders"));
    artifact = ChartBuild.of(source).withVersion("1.4.0").withOutputDirectory(work.resolve("out")).call().artifact();
    // What is installed comes from the artifact alone, as in a pipeline that only pulled it.
    FileTrees.delete(source);
  }

  @Test
  void layersTheProfileOverTheChartDefaultsThenUpgradesInPlaceOnTheNextRun(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    List<String> progress = new ArrayList<>();
    try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      ProfileRelease ephemeral = ProfileInstall.into(kube).withChart(artifact).withProfile("ephemeral")
          .withNamespace(ns).withProgress(progress::add).call();

      assertThat(ephemeral).isEqualTo(
          new ProfileRelease("orders", ns, "ephemeral", "orders-1.4.0", "0.1.0", 1, "deployed", true));
      assertThat(config(admin, ns)).containsEntry("LOG_LEVEL", "debug").containsEntry("PAYMENT_TIMEOUT_SECONDS", "5");
      assertThat(admin.network().v1().ingresses().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(progress).last().asString().startsWith("orders: installed orders-1.4.0 with profile ephemeral");

      ProfileRelease production = ProfileInstall.into(kube).withChart(artifact).withProfile("production")
          .withNamespace(ns).call();

      assertThat(production.revision()).isEqualTo(2);
      assertThat(production.secretsSkipped()).as("production has no secrets.yaml").isFalse();
      assertThat(config(admin, ns)).containsEntry("LOG_LEVEL", "warn").containsEntry("PAYMENT_TIMEOUT_SECONDS", "5");
      assertThat(admin.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getReplicas())
          .isEqualTo(3);
      assertThat(admin.network().v1().ingresses().inNamespace(ns).withName("orders").get().getSpec().getRules())
          .extracting(r -> r.getHost()).containsExactly("orders.example.com");
      assertThat(kube.releases().history("orders", ns)).hasSize(2);
    }
  }

  @Test
  void anotherReleaseNameInstallsTheChartAgainAndTheMapViewHasStableNames(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns) {
    try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      ProfileRelease qa1 = ProfileInstall.into(kube).withChart(artifact).withProfile("qa1").withNamespace(ns)
          .withReleaseName("orders-qa1").call();

      assertThat(qa1.secretsSkipped()).isTrue();
      assertThat(qa1.toMap()).containsExactly(Map.entry("name", "orders-qa1"), Map.entry("namespace", ns),
          Map.entry("profile", "qa1"), Map.entry("chart", "orders-1.4.0"), Map.entry("appVersion", "0.1.0"),
          Map.entry("revision", 1), Map.entry("status", "deployed"), Map.entry("secretsSkipped", true));
    }
  }

  @Nested
  class Refusals {

    @Test
    void aProfileTheArtifactDoesNotHoldIsARefusalOfTheProfileField(@KubeConfigPath Path kubeconfig,
        @TestNamespace String ns) {
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        assertThatThrownBy(() -> ProfileInstall.into(kube).withChart(artifact).withProfile("staging")
            .withNamespace(ns).call())
            .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("profile"))
            .hasMessage("no profile staging in orders-1.4.0.tgz (it has profiles ephemeral, production, qa1)");
        assertThat(kube.releases().list(ns)).isEmpty();
      }
    }

    @Test
    void aMissingArtifactAndABadNamespaceAreRefusalsOfTheirFields(@KubeConfigPath Path kubeconfig) {
      try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
        assertThatThrownBy(() -> ProfileInstall.into(kube).withChart(work.resolve("none.tgz")).withProfile("qa1")
            .withNamespace("team-a").call())
            .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("chart"));
        assertThatThrownBy(() -> ProfileInstall.into(kube).withChart(artifact).withProfile("qa1")
            .withNamespace("Team_A").call())
            .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("namespace"));
        assertThatThrownBy(() -> ProfileInstall.into(kube).withChart(artifact).withNamespace("team-a").call())
            .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("profile"))
            .hasMessage("is required");
      }
    }
  }

  private static Map<String, String> config(KubernetesClient admin, String ns) {
    return admin.configMaps().inNamespace(ns).withName("orders").get().getData();
  }
}
