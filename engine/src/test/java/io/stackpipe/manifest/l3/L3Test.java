package io.stackpipe.manifest.l3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.manifest.ServiceVersion;
import io.stackpipe.manifest.Umbrella;
import io.stackpipe.manifest.UmbrellaPull;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The L3 manifest on a real control plane (pointer and candidates) and a real registry (umbrellas, tag l3). */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class L3Test {

  @TempDir
  Path work;
  KubeConnection kube;
  TestCharts charts;
  L3 l3;
  List<String> progress = new ArrayList<>();

  @BeforeEach
  void publishChartsAndConnect(LocalRegistry registry, @KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    charts = new TestCharts(registry.ociUrl("l3-" + ns), work.resolve("charts"))
        .publish("orders", "1.0.0", "1.1.0", "1.2.0").publish("billing", "1.0.0", "2.0.0")
        .publish("gateway", "1.0.0");
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    l3 = L3.on(kube, charts.charts()).withNamespace(ns).withUser("alice").withProgress(progress::add);
  }

  @AfterEach
  void disconnect() {
    kube.close();
  }

  private L3Version initOrdersAndBilling() {
    return l3.init().withFrom(ServiceVersion.parseList("orders=1.0.0,billing=1.0.0", "from")).call();
  }

  private String tagged() {
    return charts.registry().manifestDigest(charts.repository("platform"), L3.TAG).orElse(null);
  }

  private Umbrella pulled(String version) {
    return UmbrellaPull.of(charts.charts(), "platform", version).withOutputDirectory(work.resolve("pulled")).call();
  }

  @Nested
  class Init {

    @Test
    void bootstrapsTheFirstL3FromVersionsAsAnImmutableUmbrellaTaggedL3(KubernetesClient admin,
        @TestNamespace String ns) {
      L3Version first = initOrdersAndBilling();

      assertThat(first.sequence()).isEqualTo(1);
      assertThat(first.version()).matches("1\\.0\\.0-init-[0-9a-z]{8}");
      assertThat(first.services()).containsExactly(Map.entry("billing", "1.0.0"), Map.entry("orders", "1.0.0"));
      assertThat(first.promotion().by()).isEqualTo("alice");
      assertThat(l3.current()).contains(first);
      assertThat(tagged()).isEqualTo(first.reference().substring(first.reference().indexOf('@') + 1));
      Umbrella umbrella = pulled(first.version());
      assertThat(umbrella.digest()).isEqualTo(first.digest());
      assertThat(umbrella.services()).extracting(s -> s.name() + "=" + s.version())
          .containsExactly("billing=1.0.0", "orders=1.0.0");
      assertThat(admin.configMaps().inNamespace(ns).withName("platform-l3").get().getData())
          .containsKeys("l3.json", "history.json");
    }

    @Test
    void anEmptyL3IsAnUmbrellaOfNoService() {
      L3Version empty = l3.init().call();

      assertThat(empty.services()).isEmpty();
      assertThat(pulled(empty.version()).services()).isEmpty();
      Candidate first = l3.candidate("gateway", "1.0.0").call();
      assertThat(first.change()).isEqualTo(new Change("gateway", Change.ADDED, null, "1.0.0"));
    }

    @Test
    void aSecondInitIsRefusedAndChangesNothing() {
      L3Version first = initOrdersAndBilling();

      assertThatThrownBy(() -> l3.init().call()).isInstanceOf(StackpipeException.class)
          .hasMessageStartingWith("L3 of platform already exists in namespace ")
          .hasMessageContaining(first.version());
      assertThat(l3.current()).contains(first);
    }

    @Test
    void beforeInitEveryOperationSaysToBootstrapFirst() {
      assertThat(l3.current()).isEmpty();
      assertThatThrownBy(() -> l3.candidate("orders", "1.0.0").call())
          .hasMessageEndingWith("yet in namespace " + l3.namespace() + ": bootstrap it with init");
      assertThatThrownBy(() -> l3.show().call()).hasMessageStartingWith("no L3 of platform yet");
    }
  }

  @Nested
  class Candidates {

    @Test
    void aNewVersionOfOneServiceIsACandidatePushedAsTheNextUmbrellaAndRecordedPending() {
      L3Version base = initOrdersAndBilling();

      Candidate c = l3.candidate("orders", "1.1.0").withBuildUrl("https://ci.example.com/job/orders/7/").call();

      assertThat(c.id()).matches("c[0-9a-z]{8}");
      assertThat(c.version()).isEqualTo("2.0.0-" + c.id());
      assertThat(c.base()).isEqualTo(base.version());
      assertThat(c.change()).isEqualTo(new Change("orders", Change.CHANGED, "1.0.0", "1.1.0"));
      assertThat(c.services()).containsExactly(Map.entry("billing", "1.0.0"), Map.entry("orders", "1.1.0"));
      assertThat(c.verdict()).isEqualTo(Verdict.PENDING);
      assertThat(c.creator()).isEqualTo("alice");
      assertThat(c.buildUrl()).isEqualTo("https://ci.example.com/job/orders/7/");
      assertThat(pulled(c.version()).services()).extracting(s -> s.name() + "=" + s.version())
          .containsExactly("billing=1.0.0", "orders=1.1.0");
      assertThat(l3.candidateById(c.id())).isEqualTo(c);
      assertThat(l3.listCandidates()).containsExactly(c);
      assertThat(l3.current()).contains(base);
    }
  }

  @Nested
  class Promotion {

    @Test
    void promotingMovesThePointerAndTheTagToTheCandidatesUmbrella() {
      L3Version base = initOrdersAndBilling();
      Candidate c = l3.candidate("orders", "1.1.0").call();

      Promoted promoted = l3.promote(c.id()).call();

      assertThat(promoted.before()).isEqualTo(base);
      assertThat(promoted.after().sequence()).isEqualTo(2);
      assertThat(promoted.after().version()).isEqualTo(c.version());
      assertThat(promoted.after().digest()).isEqualTo(c.digest());
      assertThat(promoted.after().services()).isEqualTo(c.services());
      assertThat(promoted.candidate().verdict()).isEqualTo(Verdict.PROMOTED);
      assertThat(promoted.tagMirrored()).isTrue();
      assertThat(l3.current()).contains(promoted.after());
      assertThat(tagged()).isEqualTo(c.reference().substring(c.reference().indexOf('@') + 1));
    }
  }
}
