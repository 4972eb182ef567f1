package io.stackpipe.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.stack.ReapReport.Entry;
import io.stackpipe.stack.ReapReport.Outcome;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The seven-day reaper on a real API server, with a clock the test moves. */
@WithControlPlane
class ReaperTest {

  private static Map<String, Outcome> outcomes(ReapReport report) {
    return report.entries().stream().collect(Collectors.toMap(Entry::stack, Entry::outcome, (a, b) -> a, TreeMap::new));
  }

  private static boolean goneOrGoing(KubernetesClient admin, String namespace) {
    Namespace ns = admin.namespaces().withName(namespace).get();
    return ns == null || ns.getMetadata().getDeletionTimestamp() != null;
  }

  private static List<Event> reapEvents(KubernetesClient admin, String namespace) {
    return admin.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> "StackReapPlanned".equals(e.getReason())).toList();
  }

  /** Every namespace of the test and its resourceVersion: any write to one of them changes this map. */
  private static Map<String, String> versions(KubernetesClient admin, StackFixture f) {
    return admin.namespaces().list().getItems().stream()
        .filter(n -> n.getMetadata().getName().startsWith(f.prefix))
        .collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> n.getMetadata().getResourceVersion(),
            (a, b) -> a, TreeMap::new));
  }

  @Test
  void anActiveStackIsKeptAnIdleOneWarnedOnceThenReaped(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      f.stacks.create("idle").withOwner("alice").call();
      f.stacks.create("busy").withOwner("bob").call();
      f.clock.advance(Duration.ofDays(5));
      f.stacks.touch("busy");
      f.clock.advance(Duration.ofDays(1).plusHours(1)); // idle: 6d1h, busy: 1d1h

      f.requests.clear();
      ReapReport first = f.stacks.reaper().call();
      assertThat(outcomes(first)).containsExactly(Map.entry("busy", Outcome.KEPT), Map.entry("idle", Outcome.WARNED));
      Entry warned = first.with(Outcome.WARNED).get(0);
      assertThat(warned.owner()).isEqualTo("alice");
      assertThat(warned.reapAt()).isEqualTo(StackFixture.T0.plus(Duration.ofDays(7)));
      assertThat(warned.reason()).isEqualTo("idle 6d1h since last activity (create) at " + StackFixture.T0
          + ": reaped at 2025-03-10T09:00:00Z unless there is activity before");
      assertThat(f.requests.all()).extracting(KubeRequests.Request::method).containsExactly("GET", "POST", "PUT");
      assertThat(admin.namespaces().withName(f.namespace("idle")).get().getMetadata().getAnnotations())
          .containsEntry(Stack.REAP_AT, "2025-03-10T09:00:00Z");
      List<Event> events = reapEvents(admin, f.namespace("idle"));
      assertThat(events).singleElement().satisfies(e -> {
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Namespace");
        assertThat(e.getInvolvedObject().getName()).isEqualTo(f.namespace("idle"));
        assertThat(e.getMessage()).startsWith("stack idle (owner alice) will be reaped at 2025-03-10T09:00:00Z");
      });
      assertThat(f.stacks.show("idle").toMap()).containsEntry("reapWarned", true);

      f.clock.advance(Duration.ofHours(2));
      f.requests.clear();
      ReapReport again = f.stacks.reaper().call();
      assertThat(outcomes(again)).containsEntry("idle", Outcome.WARNED);
      assertThat(again.with(Outcome.WARNED).get(0).reason()).startsWith("warned before: ");
      assertThat(f.requests.writes()).as("a warning is announced once").isEmpty();

      f.clock.advance(Duration.ofHours(21)); // idle 7d
      ReapReport last = f.stacks.reaper().call();
      assertThat(outcomes(last)).containsExactly(Map.entry("busy", Outcome.KEPT), Map.entry("idle", Outcome.REAPED));
      assertThat(goneOrGoing(admin, f.namespace("idle"))).isTrue();
      assertThat(goneOrGoing(admin, f.namespace("busy"))).isFalse();
      assertThat(last.toMap()).containsEntry("dryRun", false).containsEntry("maxIdle", "7d");
    }
  }

  @Test
  void persistentForeignUnlabelledAndPinnedNamespacesAreNeverTouched(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      f.stacks.create("qa").withOwner("team").withType(StackType.PERSISTENT).call();
      f.stacks.create("prod").withOwner("team").withType(StackType.PRODUCTION).call();
      f.stacks.create("pinned").withOwner("alice").call();
      f.stacks.create("idle").withOwner("alice").call();
      Stacks foreign = Stacks.on(f.kube, ns + "-b").withNamespacePrefix(f.prefix).withClock(f.clock);
      foreign.create("theirs").withOwner("carol").call();
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(f.namespace("plain"))
          .addToLabels("stackpipe.io/test-prefix", f.prefix.substring(0, f.prefix.length() - 1)).endMetadata()
          .build()).create();
      f.clock.advance(Duration.ofDays(1));
      f.stacks.extend("pinned", f.clock.instant().plus(Duration.ofDays(20)), null);
      f.clock.advance(Duration.ofDays(15));
      Map<String, String> before = versions(admin, f);
      try {
        f.requests.clear();
        ReapReport report = f.stacks.reaper().call();

        assertThat(f.requests.all().stream().filter(r -> r.path().startsWith("/api/v1/namespaces?")).toList())
            .as("one LIST per sweep").singleElement()
            .satisfies(r -> assertThat(r.path()).startsWith("/api/v1/namespaces?labelSelector="));
        assertThat(f.requests.all().get(0).path()).startsWith("/api/v1/namespaces?labelSelector=");
        assertThat(f.requests.writes()).as("writes only for the idle stack").allSatisfy(r ->
            assertThat(r.path()).contains("/namespaces/" + f.namespace("idle")));
        assertThat(outcomes(report)).containsExactly(Map.entry("idle", Outcome.REAPED),
            Map.entry("pinned", Outcome.KEPT), Map.entry("prod", Outcome.KEPT), Map.entry("qa", Outcome.KEPT));
        assertThat(report.entries()).filteredOn(e -> e.stack().equals("qa")).singleElement()
            .extracting(Entry::reason).isEqualTo("persistent stacks are never reaped");
        assertThat(report.entries()).filteredOn(e -> e.stack().equals("pinned")).singleElement()
            .extracting(Entry::reason).isEqualTo("kept until " + StackFixture.T0.plus(Duration.ofDays(21)));
        Map<String, String> after = versions(admin, f);
        for (String untouched : List.of("qa", "prod", "pinned", "theirs", "plain")) {
          assertThat(after.get(f.namespace(untouched))).as(untouched).isEqualTo(before.get(f.namespace(untouched)));
        }
        assertThat(goneOrGoing(admin, f.namespace("idle"))).isTrue();
      } finally {
        admin.namespaces().withLabel(Stack.INSTALLATION_LABEL, ns + "-b").delete();
      }
    }
  }

  @Test
  void aDryRunDecidesEverythingAndWritesNothing(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      f.stacks.create("old").withOwner("alice").call();
      f.clock.advance(Duration.ofDays(1));
      f.stacks.create("warn").withOwner("bob").call();
      f.clock.advance(Duration.ofDays(4));
      f.stacks.create("fresh").withOwner("carol").call();
      f.clock.advance(Duration.ofDays(2).plusHours(1));
      Map<String, String> before = versions(admin, f);

      f.requests.clear();
      ReapReport report = f.stacks.reaper().dryRun(true).call();

      assertThat(outcomes(report)).containsExactly(Map.entry("fresh", Outcome.KEPT), Map.entry("old", Outcome.REAPED),
          Map.entry("warn", Outcome.WARNED));
      assertThat(report.with(Outcome.REAPED).get(0).reason()).startsWith("would be reaped: idle 7d1h");
      assertThat(report.with(Outcome.WARNED).get(0).reason()).startsWith("would warn: idle 6d1h");
      assertThat(f.requests.all()).as("exactly one request, a read").singleElement()
          .satisfies(r -> assertThat(r.isWrite()).isFalse());
      assertThat(versions(admin, f)).isEqualTo(before);
      assertThat(reapEvents(admin, f.namespace("warn"))).isEmpty();
      assertThat(report.toMap()).containsEntry("dryRun", true);
    }
  }

  @Test
  void anIdleLimitUnderADayWorksInEitherOrderAndConflictingLimitsAreRefusedBeforeAnyRequest(
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      f.stacks.create("half-day").withOwner("alice").call();
      f.clock.advance(Duration.ofHours(11).plusMinutes(30));

      ReapReport idleFirst = f.stacks.reaper().withMaxIdle(Duration.ofHours(12)).withWarnBefore(Duration.ofHours(1))
          .dryRun(true).call();
      ReapReport warnFirst = f.stacks.reaper().withWarnBefore(Duration.ofHours(1)).withMaxIdle(Duration.ofHours(12))
          .dryRun(true).call();

      assertThat(idleFirst.policy()).isEqualTo(warnFirst.policy())
          .isEqualTo(new ReapPolicy(Duration.ofHours(12), Duration.ofHours(1), Duration.ofDays(30)));
      assertThat(outcomes(idleFirst)).containsExactly(Map.entry("half-day", Outcome.WARNED));
      assertThat(outcomes(warnFirst)).isEqualTo(outcomes(idleFirst));

      f.requests.clear();
      Reaper conflicting = f.stacks.reaper().withWarnBefore(Duration.ofHours(13)).withMaxIdle(Duration.ofHours(12));
      assertThatThrownBy(conflicting::call).hasMessage("13h must be shorter than the maximum idle time 12h");
      assertThat(f.requests.all()).isEmpty();
    }
  }

  @Test
  void twoReapersAtOnceReapEachStackOnceAndWarnOnce(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) throws Exception {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin);
        KubeConnection second = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      for (int i = 0; i < 6; i++) {
        f.stacks.create("idle-" + i).withOwner("alice").call();
      }
      f.clock.advance(Duration.ofDays(1));
      for (int i = 0; i < 4; i++) {
        f.stacks.create("warn-" + i).withOwner("bob").call();
      }
      f.clock.advance(Duration.ofDays(4));
      f.stacks.create("fresh").withOwner("carol").call();
      f.clock.advance(Duration.ofDays(2).plusHours(2));

      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<ReapReport> reports = new ArrayList<>();
      try {
        List<Callable<ReapReport>> reapers = List.of(() -> f.stacks.reaper().call(),
            () -> f.other(second).reaper().call());
        for (Future<ReapReport> done : pool.invokeAll(reapers, 2, TimeUnit.MINUTES)) {
          reports.add(done.get());
        }
      } finally {
        pool.shutdownNow();
      }

      for (ReapReport report : reports) {
        assertThat(report.with(Outcome.FAILED)).isEmpty();
        assertThat(outcomes(report)).containsEntry("fresh", Outcome.KEPT);
        for (int i = 0; i < 4; i++) {
          assertThat(outcomes(report)).containsEntry("warn-" + i, Outcome.WARNED);
        }
      }
      for (int i = 0; i < 6; i++) {
        assertThat(goneOrGoing(admin, f.namespace("idle-" + i))).as("idle-" + i).isTrue();
        String stack = "idle-" + i;
        assertThat(reports).as(stack + " reaped by one sweep, the other saw it go or locked")
            .anySatisfy(r -> assertThat(outcomes(r)).containsEntry(stack, Outcome.REAPED));
      }
      for (int i = 0; i < 4; i++) {
        assertThat(reapEvents(admin, f.namespace("warn-" + i))).as("warn-" + i).hasSize(1);
      }
      assertThat(goneOrGoing(admin, f.namespace("fresh"))).isFalse();
    }
  }

  @Test
  void aDestroyInterruptedBySomeCrashIsFinishedByTheNextSweepAndALockedStackWaits(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      f.stacks.create("half").withOwner("alice").call();
      f.stacks.create("deploying").withOwner("bob").call();
      f.clock.advance(Duration.ofHours(1));
      admin.namespaces().withName(f.namespace("half")).edit(n -> {
        n.getMetadata().getAnnotations().put(Stack.DESTROYING, f.clock.instant().toString());
        return n;
      });
      f.clock.advance(Duration.ofDays(8));
      try (StackLock.Held deploy = f.other(f.kube).withClock(java.time.Clock.systemUTC()).lock("deploying")
          .withHolder("bob (deploy api)").acquire()) {
        ReapReport report = f.stacks.reaper().call();
        assertThat(outcomes(report)).containsExactly(Map.entry("deploying", Outcome.KEPT),
            Map.entry("half", Outcome.REAPED));
        assertThat(report.with(Outcome.REAPED).get(0).reason()).startsWith("finishing a destroy begun at ");
        assertThat(report.with(Outcome.KEPT).get(0).reason()).contains("but locked: stack deploying is locked by"
            + " bob (deploy api)");
      }
      assertThat(goneOrGoing(admin, f.namespace("half"))).isTrue();
      assertThat(goneOrGoing(admin, f.namespace("deploying"))).isFalse();
    }
  }
}
