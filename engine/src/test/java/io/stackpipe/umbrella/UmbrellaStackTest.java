package io.stackpipe.umbrella;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.LocalImages;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackManifest;
import io.stackpipe.stack.Stacks;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.Going;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** createEphemeralStack from the three example services: one umbrella release whose pods run on the real node. */
@WithNode
class UmbrellaStackTest {

  @TempDir
  Path work;
  KubeConnection kube;
  Stacks stacks;
  Umbrella umbrella;
  String prefix;

  @BeforeEach
  void publishTheExamplesAndAssembleTheirUmbrella(LocalRegistry registry, @KubeConfigPath Path kubeconfig,
      @TestNamespace String ns) {
    String charts = registry.ociUrl("stack-" + ns);
    ChartPublish.of(ExampleImages.examples()).withVersion("1.0.0")
        .withImages(service -> ExampleImages.image(registry, service)).pushTo(charts)
        .withOutputDirectory(work.resolve("published")).call();
    umbrella = UmbrellaBuild.of(ServiceVersion.parseList("orders=1.0.0,billing=1.0.0,gateway=1.0.0", "manifest"))
        .from(charts).push().withOutputDirectory(work.resolve("umbrella")).call();
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    prefix = "u" + ns.substring(ns.lastIndexOf('-') + 1) + "-";
    stacks = Stacks.on(kube, ns).withNamespacePrefix(prefix);
  }

  @AfterEach
  void disconnect() {
    kube.close();
  }

  @Test
  void installsTheUmbrellaAsOneReleaseWithEachSubchartsProfileOnTheLiveObjectsThenDestroys(KubernetesClient admin) {
    List<String> progress = new ArrayList<>();

    UmbrellaStackResult created = UmbrellaStack.create(stacks, "pr-7").withOwner("alice").withPurpose("umbrella")
        .withUmbrella(umbrella).waitingUpTo(Duration.ofMinutes(3)).withProgress(progress::add).call();

    String ns = prefix + "pr-7";
    assertThat(kube.releases().list(ns)).extracting(r -> r.name() + " " + r.chart() + " " + r.status())
        .containsExactly("platform platform-" + umbrella.version() + " deployed");
    for (String service : List.of("billing", "gateway", "orders")) {
      assertThat(admin.apps().deployments().inNamespace(ns).withName(service).get().getStatus().getReadyReplicas())
          .as(service + " Ready when create returns").isEqualTo(1);
    }
    // profiles/ephemeral/values.yaml of each subchart: the gateway's LOG_LEVEL (chart default info) and no Ingress.
    assertThat(admin.configMaps().inNamespace(ns).withName("gateway").get().getData())
        .containsEntry("LOG_LEVEL", "debug").containsEntry("ORDERS_URL", "http://orders:8080");
    assertThat(admin.network().v1().ingresses().inNamespace(ns).list().getItems()).isEmpty();
    Stack stack = stacks.show("pr-7");
    assertThat(stack.manifest()).isEqualTo(new StackManifest("platform", umbrella.version(), umbrella.digest()));
    assertThat(DeployedServices.of(stacks, "pr-7").read()).as("what the status report lists")
        .extracting(s -> s.service() + " " + s.version() + " " + s.release() + " " + s.profile() + " " + s.revision()
            + " " + s.status()).containsExactly("billing 1.0.0 platform ephemeral 1 deployed",
            "gateway 1.0.0 platform ephemeral 1 deployed", "orders 1.0.0 platform ephemeral 1 deployed");
    assertThat(created.addresses()).extracting(a -> a.service()).containsExactly("billing", "gateway", "orders");
    assertThat(created.toMap()).containsKeys("name", "manifest", "release", "services", "addresses", "reach");
    assertThat(created.reach()).contains("telepresence connect --namespace " + ns);
    assertThat(progress).anyMatch(line -> line.startsWith("platform: installed platform-" + umbrella.version()
        + " (3 services) with profile ephemeral into " + ns));

    stacks.destroy("pr-7").call();

    assertThat(Going.goneOrGoing(admin, ns)).isTrue();
  }

  @Test
  void aSubchartWithoutTheProfileIsRefusedBeforeAnythingIsCreated(KubernetesClient admin) {
    assertThatThrownBy(() -> UmbrellaStack.create(stacks, "pr-8").withOwner("alice").withUmbrella(umbrella)
        .withProfile("staging").call())
        .isInstanceOf(StackpipeException.class)
        .hasMessage("no profile staging in platform " + umbrella.version() + " for billing 1.0.0 (it has profiles"
            + " ephemeral, production, qa1), gateway 1.0.0 (it has profiles ephemeral, production, qa1), orders 1.0.0"
            + " (it has profiles ephemeral, production, qa1)");
    assertThat(admin.namespaces().withName(prefix + "pr-8").get()).isNull();
  }

  @Test
  void aFailedInstallLeavesNoStackUnlessAskedToKeepIt(LocalRegistry registry, KubernetesClient admin,
      @TestNamespace String ns) {
    // orders 1.0.1 runs an image that holds no program: its pod never gets Ready.
    String charts = registry.ociUrl("broken-" + ns);
    LocalImages.push(registry.host(), "services/broken", "1", "not a program");
    ChartPublish.of(ExampleImages.examples()).withVersion("1.0.1")
        .withImages(service -> registry.host() + "/services/broken:1").pushTo(charts)
        .withOutputDirectory(work.resolve("broken")).call();
    Umbrella broken = UmbrellaBuild.of(ServiceVersion.parseList("orders=1.0.1", "manifest")).from(charts)
        .withOutputDirectory(work.resolve("broken-umbrella")).call();

    assertThatThrownBy(() -> UmbrellaStack.create(stacks, "pr-9").withOwner("alice").withUmbrella(broken)
        .waitingUpTo(Duration.ofSeconds(20)).call())
        .isInstanceOf(StackpipeException.class)
        .hasMessageContaining("helm install platform in namespace " + prefix + "pr-9")
        .hasMessageContaining("uninstalled")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(Going.goneOrGoing(admin, prefix + "pr-9")).isTrue();

    assertThatThrownBy(() -> UmbrellaStack.create(stacks, "pr-10").withOwner("alice").withUmbrella(broken)
        .waitingUpTo(Duration.ofSeconds(20)).keepOnFailure(true).call())
        .isInstanceOf(StackpipeException.class);
    assertThat(stacks.show("pr-10").manifest().version()).isEqualTo(broken.version());
    stacks.destroy("pr-10").call();
  }
}
