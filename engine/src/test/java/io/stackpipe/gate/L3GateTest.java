package io.stackpipe.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.deploy.ChartSource;
import io.stackpipe.deploy.Deploy;
import io.stackpipe.deploy.StackSyncResult;
import io.stackpipe.deploy.SyncTarget;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalImages;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.secrets.SecretsEnvironment;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.StackManifest;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The L3 gate's parts on a real node (pods run), a real registry and real Helm, sharing one set of published
 * charts: the example services at 1.0.0; orders 1.1.0 (works); billing 1.1.0 built from examples/broken (Ready,
 * but its /invoices fails: only a system test sees it); gateway 1.1.0 whose image holds no program (never Ready).
 */
@WithNode
class L3GateTest {
  static final List<String> SERVICES = List.of("billing", "gateway", "orders");
  static final Path ROOT = ExampleImages.examples().getParent().getParent();

  @TempDir
  static Path work;
  static String charts;

  KubeConnection kube;
  Stacks stacks;
  List<String> progress = new ArrayList<>();

  @BeforeAll
  static void publishThePlatformAndItsChanges(LocalRegistry registry) {
    charts = registry.ociUrl("gate");
    String broken = registry.host() + "/services/billing:broken";
    GoImages.push(ROOT.resolve("examples/broken/billing/app"), "billing", broken);
    LocalImages.push(registry.host(), "services/no-program", "1", "not a program");
    for (String service : SERVICES) {
      Path source = TestFiles.copyTree(ExampleImages.examples().resolve(service), work.resolve("src/" + service));
      publish(source, "1.0.0", ExampleImages.image(registry, service));
    }
    publish(work.resolve("src/orders"), "1.1.0", ExampleImages.image(registry, "orders"));
    publish(work.resolve("src/billing"), "1.1.0", broken);
    publish(work.resolve("src/gateway"), "1.1.0", registry.host() + "/services/no-program:1");
  }

  static void publish(Path source, String version, String image) {
    ChartBuild.of(source).withVersion(version).withImage(image).pushTo(charts)
        .withOutputDirectory(work.resolve("out")).call();
  }

  static SecretKeys demoKeys() {
    return SecretKeys.fromEnvironment(SecretsEnvironment.of(
        Map.of("SOPS_AGE_KEY_FILE", ROOT.resolve("examples/keys/demo-age-key.txt").toString()), null));
  }

  @BeforeEach
  void connect(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    stacks = Stacks.on(kube, ns).withNamespacePrefix("g" + ns.substring(ns.lastIndexOf('-') + 1) + "-");
  }

  @AfterEach
  void destroyStacks() {
    try {
      stacks.list(null).stacks().forEach(s -> stacks.destroy(s.name()));
    } finally {
      kube.close();
    }
  }

  Deploy deploy(String stack) {
    return Deploy.onto(stacks, stack).withSecretKeys(demoKeys()).withDeployer("alice", Set.of())
        .withTimeout(Duration.ofSeconds(40)).withProgress(progress::add);
  }

  static SyncTarget target(String version, String billing, String gateway, String orders) {
    return new SyncTarget("platform", version, charts, Map.of("billing", billing, "gateway", gateway,
        "orders", orders));
  }

  @Nested
  class StackSync {

    @Test
    void deploysEachServiceThatDiffersInNameOrderAndStopsAtTheFirstFailureSayingWhatIsDoneAndLeft() {
      stacks.create("qa1").withOwner("alice").withType(StackType.PERSISTENT).call();
      String ns = stacks.namespaceOf("qa1");

      StackSyncResult first = deploy("qa1").withProfile("qa1").sync(target("1", "1.0.0", "1.0.0", "1.0.0"));

      assertThat(first.complete()).isTrue();
      assertThat(first.with("deployed")).extracting(StackSyncResult.Step::service).containsExactlyElementsOf(SERVICES);
      assertThat(versions(ns)).containsExactly("billing-1.0.0", "gateway-1.0.0", "orders-1.0.0");

      // billing 1.1.0 goes out (Ready: its flaw only shows in a system test); gateway 1.1.0 never gets Ready, is
      // rolled back, and the sync stops there: orders is left at 1.0.0. The profile comes from the last deploys.
      StackSyncResult second = deploy("qa1").sync(target("2", "1.1.0", "1.1.0", "1.1.0"));

      assertThat(second.complete()).isFalse();
      assertThat(second.steps()).extracting(s -> s.service() + " " + s.from() + "->" + s.to() + " " + s.profile()
          + " " + s.outcome()).containsExactly("billing 1.0.0->1.1.0 qa1 deployed", "gateway 1.0.0->1.1.0 qa1 failed",
          "orders 1.0.0->1.1.0 qa1 left");
      assertThat(second.with("failed").get(0).message()).contains("gateway").doesNotContain("\n");
      assertThat(versions(ns)).containsExactly("billing-1.1.0", "gateway-1.0.0", "orders-1.0.0");
      assertThat(second.toMap()).containsEntry("deployed", List.of("billing")).containsEntry("failed",
          List.of("gateway")).containsEntry("left", List.of("orders")).containsEntry("complete", false);
      assertThat(progress).anyMatch(l -> l.startsWith("sync stack qa1 to platform 2: 3 of 3 services to deploy"))
          .anyMatch(l -> l.startsWith("gateway: failed, the sync stops here: "));

      // Synced again to a manifest that keeps gateway at 1.0.0: billing is unchanged, orders goes out.
      StackSyncResult third = deploy("qa1").sync(target("3", "1.1.0", "1.0.0", "1.1.0"));

      assertThat(third.steps()).extracting(s -> s.service() + " " + s.outcome())
          .containsExactly("billing unchanged", "gateway unchanged", "orders deployed");
      assertThat(versions(ns)).containsExactly("billing-1.1.0", "gateway-1.0.0", "orders-1.1.0");
    }

    @Test
    void refusesBeforeAnyDeployAServiceWithoutAKnownProfileAndAStackMadeOfAnUmbrella() {
      stacks.create("qa2").withOwner("alice").withType(StackType.PERSISTENT).call();
      deploy("qa2").withChart(ChartSource.inRegistry(charts, "orders", "1.0.0")).withProfile("qa1").withoutWait()
          .call();

      assertThatThrownBy(() -> deploy("qa2").sync(target("1", "1.0.0", "1.0.0", "1.1.0")))
          .isInstanceOf(StackpipeException.class)
          .hasMessage("is required: billing, gateway were never deployed to stack qa2, so no profile of theirs is known")
          .extracting(e -> ((StackpipeException) e).field().orElseThrow()).isEqualTo("profile");
      assertThat(versions(stacks.namespaceOf("qa2"))).containsExactly("orders-1.0.0");

      stacks.create("pr-1").withOwner("alice").withManifest(new StackManifest("platform", "7.0.0", "sha256:00")).call();
      assertThatThrownBy(() -> deploy("pr-1").withProfile("qa1").sync(target("1", "1.0.0", "1.0.0", "1.0.0")))
          .isInstanceOf(StackpipeException.class)
          .hasMessage("pr-1 is made of one umbrella release (platform 7.0.0): a sync deploys service by service; make"
              + " a new stack from the manifest instead");
      assertThat(kube.releases().list(stacks.namespaceOf("pr-1"))).isEmpty();
    }
  }

  List<String> versions(String namespace) {
    return kube.releases().list(namespace).stream().map(r -> r.chart()).sorted().toList();
  }
}
