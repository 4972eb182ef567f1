package io.stackpipe.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.deploy.ChartSource;
import io.stackpipe.deploy.Deploy;
import io.stackpipe.deploy.DeployResult;
import io.stackpipe.deploy.StackSyncResult;
import io.stackpipe.deploy.SyncTarget;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalImages;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.Verdict;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.StackManifest;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.PolicyRefusedException;
import io.stackpipe.stack.policy.StackPolicies;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.Going;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
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
  /** This test's L3: its own umbrella name and control namespace. */
  L3 l3;
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
    String suffix = ns.substring(ns.lastIndexOf('-') + 1);
    stacks = Stacks.on(kube, ns).withNamespacePrefix("g" + suffix + "-");
    l3 = L3.on(kube, charts).withName("platform-" + suffix).withNamespace(ns).withUser("ci")
        .withProgress(progress::add);
  }

  L3Version initAt100() {
    return l3.init().withFrom(ServiceVersion.parseList("billing=1.0.0,gateway=1.0.0,orders=1.0.0", "from")).call();
  }

  L3Gate gate() {
    return L3Gate.of(l3, stacks).withOwner("ci").withSecretKeys(demoKeys()).waitingUpTo(Duration.ofMinutes(2))
        .withProgress(progress::add);
  }

  /** The example platform's system tests, as the README and the Jenkinsfile run them. */
  static SystemTest systemTests() {
    return SystemTest.of(List.of("sh", "examples/system-tests.sh")).in(ROOT)
        .withEnvironment(Map.of("PATH", System.getenv("PATH")));
  }

  @Nested
  class Gate {

    @Test
    void aChangeWhoseSystemTestsPassIsPromotedAndItsStackDestroyed(KubernetesClient admin) {
      L3Version before = initAt100();

      GateResult result = gate().run("orders", "1.1.0", systemTests());

      assertThat(result.verdict()).isEqualTo(GateVerdict.PROMOTED);
      assertThat(result.succeeded()).isTrue();
      assertThat(result.test().passed()).isTrue();
      assertThat(result.before()).isEqualTo(before);
      assertThat(result.after()).isEqualTo(l3.current().orElseThrow());
      assertThat(result.after().version()).isEqualTo(result.candidateVersion());
      assertThat(result.after().services()).isEqualTo(Map.of("billing", "1.0.0", "gateway", "1.0.0", "orders", "1.1.0"));
      assertThat(l3.candidateById(result.candidate()).verdict()).isEqualTo(Verdict.PROMOTED);
      assertThat(l3.candidateById(result.candidate()).stack()).isEqualTo(result.stack());
      assertThat(result.stack()).isEqualTo("l3-" + result.candidate());
      assertThat(Going.goneOrGoing(admin, result.namespace())).isTrue();
      assertThat(result.stackKept()).isFalse();
      assertThat(result.timings()).containsKeys("stack", "tests", "verdict", "destroy");
      // Real HTTP calls reached the candidate's pods, end to end through the gateway.
      assertThat(progress).anyMatch(l -> l.matches("ok    GET http://[0-9.]+:8000/summary"))
          .contains("all checks passed").anyMatch(l -> l.startsWith("L3 after: " + result.after().version()));
      assertThat(result.toMap()).containsEntry("verdict", "promoted").containsKeys("before", "after", "timings",
          "test");
      assertThat(result.toMap().get("before")).isEqualTo(Map.of("version", before.version(), "services",
          before.services()));
    }

    @Test
    void aChangeThatBreaksAServiceIsRejectedWithTheTestsExitCodeAndLastLinesAndL3StaysAsItWas(
        KubernetesClient admin) {
      L3Version before = initAt100();

      GateResult result = gate().keepOnFailure(true).run("billing", "1.1.0", systemTests());

      assertThat(result.verdict()).isEqualTo(GateVerdict.REJECTED);
      assertThat(result.succeeded()).isFalse();
      assertThat(result.test().exitCode()).isEqualTo(1);
      assertThat(result.reason()).startsWith("exit 1: ").doesNotContain("\n")
          .contains("check(s) failed: billing /invoices (500), gateway /summary (502)");
      assertThat(progress).anyMatch(l -> l.startsWith("FAIL  GET http://") && l.contains("/invoices: status 500")
          && l.contains("TAX_RATE"));
      assertThat(l3.current().orElseThrow()).isEqualTo(before);
      assertThat(result.before()).isEqualTo(before);
      assertThat(result.after()).isEqualTo(before);
      assertThat(l3.candidateById(result.candidate())).satisfies(c -> {
        assertThat(c.verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(c.reason()).isEqualTo(result.reason());
        assertThat(c.timings()).containsKeys("stack", "tests");
      });
      // Kept to look at: the broken billing still runs there.
      assertThat(result.stackKept()).isTrue();
      assertThat(stacks.show(result.stack()).manifest().version()).isEqualTo(result.candidateVersion());
    }

    @Test
    void inPhasesTheSessionSurvivesSerializationAndClosingTwiceKeepsTheVerdict(KubernetesClient admin)
        throws Exception {
      initAt100();
      GateSession opened = gate().open("orders", "1.1.0");

      assertThat(opened.environment()).containsKeys("STACK_NAME", "STACK_NAMESPACE", "L3_CANDIDATE",
          "STACK_SERVICES", "ORDERS_URL", "BILLING_URL", "GATEWAY_URL");
      assertThat(opened.environment().get("STACK_SERVICES")).isEqualTo("billing gateway orders");
      assertThat(l3.candidateById(opened.candidate()).verdict()).isEqualTo(Verdict.PENDING);
      assertThat(admin.apps().deployments().inNamespace(opened.namespace()).withName("orders").get().getStatus()
          .getReadyReplicas()).isEqualTo(1);
      // As a Jenkins controller keeps it across a restart: bytes, then a new gate object closes it.
      GateSession restored = roundTrip(opened);
      assertThat(restored).isEqualTo(opened);

      GateResult closed = gate().close(restored, true, "");
      GateResult again = gate().close(restored, true, "");

      assertThat(closed.verdict()).isEqualTo(GateVerdict.PROMOTED);
      assertThat(closed.after().services()).containsEntry("orders", "1.1.0");
      assertThat(again.verdict()).isEqualTo(GateVerdict.PROMOTED);
      assertThat(l3.current().orElseThrow().sequence()).isEqualTo(2);
      assertThat(Going.goneOrGoing(admin, opened.namespace())).isTrue();
    }

    @Test
    void aCandidateWhoseStackNeverGetsReadyIsRejectedWithoutTestsAndLeavesNoStack(KubernetesClient admin) {
      L3Version before = initAt100();

      assertThatThrownBy(() -> gate().waitingUpTo(Duration.ofSeconds(15)).open("gateway", "1.1.0"))
          .isInstanceOf(StackpipeException.class)
          .hasMessageMatching("candidate c[0-9a-z]{8} \\(gateway 1\\.1\\.0\\) rejected: its stack did not come up: .*")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

      assertThat(l3.listCandidates()).singleElement().satisfies(c -> {
        assertThat(c.verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(c.reason()).startsWith("its stack did not come up: ");
      });
      assertThat(l3.current().orElseThrow()).isEqualTo(before);
      assertThat(stacks.list(null).stacks()).as("destroyed, Kubernetes still deleting at most")
          .allMatch(stack -> stack.terminating() || stack.destroying() != null);
    }

    @Test
    void aVersionAlreadyInL3IsANoOpAndACommandThatCannotRunIsRefusedBeforeACandidateIsMade() {
      L3Version before = initAt100();

      GateResult same = gate().run("orders", "1.0.0", systemTests());

      assertThat(same.verdict()).isEqualTo(GateVerdict.UNCHANGED);
      assertThat(same.succeeded()).isTrue();
      assertThat(same.candidate()).isNull();
      assertThat(same.before()).isEqualTo(before);
      assertThat(same.after()).isEqualTo(before);
      assertThatThrownBy(() -> gate().run("orders", "1.1.0", SystemTest.of(List.of("./no-such-tests.sh")).in(ROOT)))
          .isInstanceOf(StackpipeException.class).hasMessageStartingWith("./no-such-tests.sh: no executable file");
      assertThat(l3.listCandidates()).isEmpty();
      assertThat(stacks.list(null).stacks()).isEmpty();
    }
  }

  @Nested
  class ProductionGate {

    @Test
    void aStackWhosePolicySaysQualityL3TakesOnlyTheVersionInTheCurrentL3(@TempDir Path dir) throws Exception {
      Path file = dir.resolve("policy.yaml");
      Files.writeString(file, "stacks:\n  - match: prod\n    quality: L3\n");
      StackPolicies policy = StackPolicies.load(file, "policy.yaml");
      stacks.create("prod").withOwner("ops").withType(StackType.PRODUCTION).call();
      Deploy orders110 = deploy("prod").withChart(ChartSource.inRegistry(charts, "orders", "1.1.0"))
          .withProfile("production").withPolicy(policy).withL3(l3).withoutWait();

      assertThatThrownBy(orders110::call).isInstanceOfSatisfying(PolicyRefusedException.class,
          e -> assertThat(e.rule()).isEqualTo("quality"))
          .hasMessage("stack prod: policy policy.yaml:2 (stacks[0]) refuses: quality: orders 1.1.0 is not in L3:"
              + " there is no L3 yet");
      L3Version current = initAt100();

      assertThatThrownBy(orders110::call).isInstanceOf(PolicyRefusedException.class)
          .hasMessage("stack prod: policy policy.yaml:2 (stacks[0]) refuses: quality: orders 1.1.0 is not the L3"
              + " version: L3 " + l3.name() + " " + current.version() + " has orders 1.0.0");
      assertThat(kube.releases().list(stacks.namespaceOf("prod"))).isEmpty();

      DeployResult deployed = deploy("prod").withChart(ChartSource.inRegistry(charts, "orders", "1.0.0"))
          .withProfile("production").withPolicy(policy).withL3(l3).withoutWait().call();
      assertThat(deployed.version()).isEqualTo("1.0.0");
      // Another stack, without the rule, takes any version.
      stacks.create("qa3").withOwner("ops").withType(StackType.PERSISTENT).call();
      assertThat(deploy("qa3").withChart(ChartSource.inRegistry(charts, "orders", "1.1.0")).withProfile("qa1")
          .withPolicy(policy).withL3(l3).withoutWait().call().version()).isEqualTo("1.1.0");
    }
  }

  @AfterEach
  void destroyStacks() {
    try {
      // Deleted, not destroyed: a cleanup needs no releases uninstalled one by one, and each test's stacks have
      // names of their own. StacksTest tests destroy.
      stacks.list(null).stacks().forEach(s -> kube.client().namespaces().withName(s.namespace()).delete());
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
          .hasMessage("is required: billing, gateway were never deployed to stack qa2, so no profile of theirs is"
              + " known")
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

  static GateSession roundTrip(GateSession session) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(session);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (GateSession) in.readObject();
    }
  }

  List<String> versions(String namespace) {
    return kube.releases().list(namespace).stream().map(r -> r.chart()).sorted().toList();
  }
}
