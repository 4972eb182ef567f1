package io.stackpipe.manifest.l3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Failures at the worst moments, produced for real: a registry that stops taking writes, a crash, conflicting writers. */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class L3FaultsTest {

  @TempDir
  Path work;
  TestCharts charts;
  String ns;
  Path kubeconfig;

  @BeforeEach
  void publishCharts(LocalRegistry registry, @KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    this.ns = ns;
    this.kubeconfig = kubeconfig;
    charts = new TestCharts(registry.ociUrl("l3f-" + ns), work.resolve("charts"))
        .publish("orders", "1.0.0", "1.1.0").publish("billing", "1.0.0", "2.0.0");
  }

  private L3 l3(KubeConnection kube, String chartsUrl) {
    return L3.on(kube, chartsUrl).withNamespace(ns).withUser("alice");
  }

  private static String manifestDigest(String reference) {
    return reference.substring(reference.indexOf('@') + 1);
  }

  @Test
  void aRegistryThatStopsTakingWritesDuringTheCandidatePushLeavesNoCandidateBehind(LocalRegistry registry,
      KubernetesClient admin) {
    try (WriteRefusingProxy proxy = WriteRefusingProxy.start(registry.host());
        KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      String viaProxy = "oci://" + proxy.host() + charts.charts().substring(charts.charts().indexOf('/', 6));
      L3 l3 = l3(kube, viaProxy);
      L3Version base = l3.init().withFrom(ServiceVersion.parseList("orders=1.0.0", "from")).call();
      proxy.refuseWrites();

      assertThatThrownBy(() -> l3.candidate("orders", "1.1.0").call()).hasMessageContaining("503");

      assertThat(l3.listCandidates()).isEmpty();
      assertThat(admin.configMaps().inNamespace(ns).withLabel("stackpipe.io/role", "candidate").list().getItems())
          .isEmpty();
      assertThat(l3.current()).contains(base);
    }
  }

  @Test
  void aCrashBetweenThePointerAndTheTagIsRepairedByTheNextRead() {
    try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      L3 l3 = l3(kube, charts.charts());
      L3Version base = l3.init().withFrom(ServiceVersion.parseList("orders=1.0.0", "from")).call();
      Candidate c = l3.candidate("orders", "1.1.0").call();
      L3 crashing = l3(kube, charts.charts()).withAfterPointerWrite(() -> {
        throw new IllegalStateException("injected crash after the pointer's write");
      });

      assertThatThrownBy(() -> crashing.promote(c.id()).call()).hasMessage("injected crash after the pointer's write");
      String repository = charts.repository("platform");
      assertThat(charts.registry().manifestDigest(repository, L3.TAG)).contains(manifestDigest(base.reference()));

      List<String> progress = new ArrayList<>();
      L3Shown shown = l3.withProgress(progress::add).show().call();

      assertThat(shown.current().version()).isEqualTo(c.version());
      assertThat(shown.tagRepaired()).isTrue();
      assertThat(progress).singleElement().asString().startsWith("repaired registry tag ");
      assertThat(charts.registry().manifestDigest(repository, L3.TAG)).contains(manifestDigest(c.reference()));
      assertThat(l3.show().call().tagRepaired()).isFalse();
      // The candidate stayed open through the crash; promoting it again finds it is L3 and says so.
      assertThatThrownBy(() -> l3.promote(c.id()).call()).hasMessage(c.id() + " is L3 already (" + c.version()
          + ", #2)");
      assertThat(l3.candidateById(c.id()).verdict()).isEqualTo(Verdict.PROMOTED);
    }
  }

  /** A real writer that touches the pointer right before each of our writes to it: a real 409 every time. */
  private KubeConnection interfered(KubernetesClient admin, AtomicInteger conflictsLeft) {
    KubeRequests requests = new KubeRequests(request -> {
      if (request.method().equals("PUT") && request.path().endsWith("/configmaps/platform-l3")
          && conflictsLeft.getAndDecrement() > 0) {
        admin.configMaps().inNamespace(ns).withName("platform-l3").edit(map -> {
          map.getMetadata().setAnnotations(Map.of("touched", String.valueOf(conflictsLeft.get())));
          return map;
        });
      }
    });
    return KubeConnection.fromKubeconfig(kubeconfig, null, requests);
  }

  @Test
  void aFewConflictingWritesAreRetriedAndThePromotionLandsOnce(KubernetesClient admin) {
    AtomicInteger conflicts = new AtomicInteger(3);
    try (KubeConnection kube = interfered(admin, conflicts)) {
      L3 l3 = l3(kube, charts.charts());
      l3.init().withFrom(ServiceVersion.parseList("orders=1.0.0", "from")).call();
      Candidate c = l3.candidate("orders", "1.1.0").call();

      Promoted promoted = l3.promote(c.id()).call();

      assertThat(conflicts.get()).isNegative();
      assertThat(promoted.after().sequence()).isEqualTo(2);
      assertThat(l3.history().call().promotions()).extracting(Promotion::sequence).containsExactly(2, 1);
    }
  }

  @Test
  void aStormOfConflictsGivesUpAfterTheBoundedAttemptsWithAClearErrorAndL3Unchanged(KubernetesClient admin) {
    AtomicInteger conflicts = new AtomicInteger(Integer.MAX_VALUE);
    try (KubeConnection kube = interfered(admin, conflicts)) {
      L3 l3 = l3(kube, charts.charts()).withConflictAttempts(5);
      L3Version base = l3.init().withFrom(ServiceVersion.parseList("orders=1.0.0", "from")).call();
      Candidate c = l3.candidate("orders", "1.1.0").call();

      assertThatThrownBy(() -> l3.promote(c.id()).call())
          .hasMessage("gave up promoting " + c.id() + ": ConfigMap " + ns + "/platform-l3 changed under each of 5"
              + " attempts (conflicting writers); L3 is unchanged, try again");

      assertThat(Integer.MAX_VALUE - conflicts.get()).isEqualTo(5);
      assertThat(l3.current()).contains(base);
      assertThat(l3.candidateById(c.id()).verdict()).isEqualTo(Verdict.PENDING);
    }
  }
}
