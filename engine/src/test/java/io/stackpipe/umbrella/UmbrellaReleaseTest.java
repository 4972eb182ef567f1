package io.stackpipe.umbrella;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.chart.ChartPublish;
import io.stackpipe.kube.HelmReleases;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.release.DriftCheck;
import io.stackpipe.kube.release.ReleaseApplied;
import io.stackpipe.local.HelmCli;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example services' umbrella installed through the fast path and moved to the next umbrella (one service at a
 * new version) with {@link UmbrellaUpgrade}, on a real API server and registry: what the L3 gate does to a
 * candidate's stack. Objects only (no node): readiness is the node tests' business.
 */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class UmbrellaReleaseTest {

  @TempDir
  Path work;

  @Test
  void anUmbrellaInstalledFastIsUpgradedToTheNextWithOnlyTheChangedServicesObjectsPatched(LocalRegistry registry,
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns) throws Exception {
    String charts = registry.ociUrl("release-" + ns);
    for (String version : new String[] {"1.0.0", "1.1.0"}) {
      ChartPublish.of(ExampleImages.examples()).withVersion(version).withImages(service -> null).pushTo(charts)
          .withOutputDirectory(work.resolve("published-" + version)).call();
    }
    Umbrella first = UmbrellaBuild.of(ServiceVersion.parseList("orders=1.0.0,billing=1.0.0,gateway=1.0.0",
        "manifest")).from(charts).withVersion("1.0.0").withOutputDirectory(work.resolve("first")).call();
    Umbrella next = UmbrellaBuild.of(ServiceVersion.parseList("orders=1.1.0,billing=1.0.0,gateway=1.0.0",
        "manifest")).from(charts).withVersion("2.0.0").withOutputDirectory(work.resolve("next")).call();

    try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      HelmReleases.Release installed = UmbrellaInstall.into(kube).withUmbrella(first)
          .withValues(UmbrellaValues.compose(first, "ephemeral")).withNamespace(ns).call();
      assertThat(installed).isEqualTo(new HelmReleases.Release("platform", ns, 1, "deployed", "platform-1.0.0",
          installed.appVersion()));
      var ordersBefore = kube.client().apps().deployments().inNamespace(ns).withName("orders").get();
      var billingBefore = kube.client().apps().deployments().inNamespace(ns).withName("billing").get();

      ReleaseApplied upgraded = UmbrellaUpgrade.of(kube).withUmbrella(next)
          .withValues(UmbrellaValues.compose(next, "ephemeral")).withNamespace(ns).call();

      assertThat(upgraded.revision()).isEqualTo(2);
      assertThat(upgraded.chart()).isEqualTo("platform-2.0.0");
      assertThat(upgraded.changes().driftCheck()).isEqualTo(DriftCheck.CORRECT);
      assertThat(upgraded.changes().updated()).isPositive();
      assertThat(upgraded.changes().created() + upgraded.changes().deleted() + upgraded.changes().drifted()).isZero();
      assertThat(kube.client().apps().deployments().inNamespace(ns).withName("orders").get().getMetadata()
          .getLabels()).containsEntry("helm.sh/chart", "orders-1.1.0");
      assertThat(kube.client().apps().deployments().inNamespace(ns).withName("orders").get().getMetadata()
          .getResourceVersion()).isNotEqualTo(ordersBefore.getMetadata().getResourceVersion());
      assertThat(kube.client().apps().deployments().inNamespace(ns).withName("billing").get().getMetadata()
          .getResourceVersion()).as("an unchanged service is not written")
          .isEqualTo(billingBefore.getMetadata().getResourceVersion());

      HelmCli helm = new HelmCli(kubeconfig, Files.createDirectories(work.resolve("helm-home")));
      assertThat(helm.run("history", "platform", "-n", ns).orFail()).contains("platform-1.0.0")
          .contains("superseded").contains("platform-2.0.0").contains("Upgrade complete");
      helm.run("rollback", "platform", "1", "-n", ns).orFail();
      assertThat(kube.client().apps().deployments().inNamespace(ns).withName("orders").get().getMetadata()
          .getLabels()).containsEntry("helm.sh/chart", "orders-1.0.0");
    }
  }
}
