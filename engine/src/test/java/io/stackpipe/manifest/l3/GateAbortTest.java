package io.stackpipe.manifest.l3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.gate.AbandonedCandidate;
import io.stackpipe.gate.GateResult;
import io.stackpipe.gate.GateSession;
import io.stackpipe.gate.GateVerdict;
import io.stackpipe.gate.L3Gate;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.stack.Stacks;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import io.stackpipe.umbrella.ServiceVersion;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gates that end without their verdict — aborted, or their process gone — on a real control plane and registry. The
 * charts are ConfigMaps only, so a gate's stack is up without a node (L3GateTest runs real services on one). Here,
 * beside {@link TestCharts}.
 */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class GateAbortTest {

  @TempDir
  Path work;
  KubeConnection kube;
  Stacks stacks;
  L3 l3;
  String prefix;
  List<String> progress = new ArrayList<>();

  @BeforeEach
  void publishAndInit(LocalRegistry registry, @KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    TestCharts charts = new TestCharts(registry.ociUrl("abort-" + ns), work.resolve("charts"))
        .publish("orders", "1.0.0", "1.1.0", "1.2.0").publish("billing", "1.0.0", "1.1.0");
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    prefix = "a" + ns.substring(ns.lastIndexOf('-') + 1) + "-";
    stacks = Stacks.on(kube, ns).withNamespacePrefix(prefix);
    l3 = L3.on(kube, charts.charts()).withNamespace(ns).withUser("ci");
    l3.init().withFrom(ServiceVersion.parseList("orders=1.0.0,billing=1.0.0", "from")).call();
  }

  @AfterEach
  void disconnect() {
    try {
      stacks.list(null).stacks().forEach(s -> kube.client().namespaces().withName(s.namespace()).delete());
    } finally {
      kube.close();
    }
  }

  L3Gate gate() {
    return L3Gate.of(l3, stacks).withOwner("ci").waitingUpTo(Duration.ofMinutes(1)).withProgress(line -> {
      progress.add(line);
    });
  }

  /** The same installation a sweep later sees: its clock past the grace. */
  L3Gate sweepLater(String ns) {
    return L3Gate.of(l3, Stacks.on(kube, ns).withNamespacePrefix(prefix)
        .withClock(Clock.offset(Clock.systemUTC(), L3Gate.ABANDON_GRACE.plusMinutes(1)))).withProgress(progress::add);
  }

  boolean goneOrGoing(KubernetesClient admin, String stack) {
    Namespace namespace = admin.namespaces().withName(prefix + stack).get();
    return namespace == null || namespace.getMetadata().getDeletionTimestamp() != null;
  }

  @Test
  void anAbortWhileTheStackIsMadeRejectsTheCandidateAsAbortedAndLeavesNoStack(KubernetesClient admin) {
    L3Version before = l3.current().orElseThrow();
    L3Gate gate = L3Gate.of(l3, stacks).withOwner("ci").withProgress(line -> {
      progress.add(line);
      if (line.startsWith("created stack l3-")) {
        Thread.currentThread().interrupt(); // Jenkins' stop, while the release is being installed
      }
    });

    assertThatThrownBy(() -> gate.open("orders", "1.1.0")).isInstanceOf(StackpipeException.class)
        .hasMessageMatching("aborted: candidate (c[0-9a-z]{8}) \\(orders 1\\.1\\.0\\) is rejected as aborted; its stack"
            + " l3-\\1: aborted: stack l3-\\1 was being created, and is destroyed");

    assertThat(Thread.interrupted()).as("the abort still reaches the caller").isTrue();
    Candidate candidate = l3.listCandidates().get(0);
    assertThat(candidate.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(candidate.reason()).isEqualTo("aborted while its stack was being made");
    assertThat(goneOrGoing(admin, "l3-" + candidate.id())).isTrue();
    assertThat(l3.current()).contains(before);
  }

  @Test
  void anAbortedBodyRejectsTheCandidateAsAbortedAndDestroysTheStackThoughKeptOnFailure(KubernetesClient admin) {
    GateSession opened = gate().keepOnFailure(true).open("orders", "1.1.0");

    GateResult aborted = gate().abort(opened, "Aborted by alice");

    assertThat(aborted.verdict()).isEqualTo(GateVerdict.REJECTED);
    assertThat(aborted.reason()).isEqualTo("aborted: Aborted by alice");
    assertThat(aborted.stackKept()).isFalse();
    assertThat(l3.candidateById(opened.candidate()).reason()).isEqualTo("aborted: Aborted by alice");
    assertThat(goneOrGoing(admin, opened.stack())).isTrue();
  }

  @Test
  void theSweepClosesOpenCandidatesWhoseGateIsGoneAndNoOther(@TestNamespace String ns) {
    GateSession died = gate().open("orders", "1.1.0");
    GateSession alive = gate().open("billing", "1.1.0");
    Candidate cli = l3.candidate("orders", "1.2.0").call(); // made outside a gate, tested elsewhere
    // The process that ran `died`'s gate is gone, and the reaper took its idle stack.
    stacks.destroy(died.stack()).call();

    assertThat(gate().closeAbandoned()).as("within the grace, a gate may be just making its stack").isEmpty();
    List<AbandonedCandidate> closed = sweepLater(ns).closeAbandoned();

    assertThat(closed).singleElement().satisfies(c -> {
      assertThat(c.candidate()).isEqualTo(died.candidate());
      assertThat(c.stack()).isEqualTo(died.stack());
      assertThat(c.reason()).isIn("abandoned: its gate is gone (stack " + died.stack() + " is being destroyed)",
          "abandoned: its gate is gone (stack " + died.stack() + " no longer exists)");
    });
    assertThat(l3.candidateById(died.candidate()).verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(l3.candidateById(alive.candidate()).verdict()).isEqualTo(Verdict.PENDING);
    assertThat(l3.candidateById(cli.id()).verdict()).isEqualTo(Verdict.PENDING);
    assertThat(progress).contains("candidate " + died.candidate() + " (orders 1.1.0) " + closed.get(0).reason());
    assertThat(sweepLater(ns).closeAbandoned()).as("a second sweep finds nothing more").isEmpty();
  }

  @Test
  void aBuildRestartedWhileItsGateOpenedClosesItsOwnCandidateByItsBuildUrl(KubernetesClient admin) {
    String build = "https://jenkins.example.com/job/orders/7/";
    GateSession lost = gate().withBuildUrl(build).open("orders", "1.1.0"); // the session died with the controller
    GateSession other = gate().withBuildUrl("https://jenkins.example.com/job/billing/3/").open("billing", "1.1.0");

    List<AbandonedCandidate> closed = gate().abortLeftBy(build, "orders", "1.1.0");

    assertThat(closed).extracting(AbandonedCandidate::candidate).containsExactly(lost.candidate());
    assertThat(l3.candidateById(lost.candidate()).reason())
        .isEqualTo("aborted: the build restarted while the candidate's stack was being made");
    assertThat(goneOrGoing(admin, lost.stack())).isTrue();
    assertThat(l3.candidateById(other.candidate()).verdict()).isEqualTo(Verdict.PENDING);
    assertThat(gate().abortLeftBy(null, "orders", "1.1.0")).as("no build URL: nothing told apart").isEmpty();
  }
}
