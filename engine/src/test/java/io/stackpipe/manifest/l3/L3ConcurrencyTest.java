package io.stackpipe.manifest.l3;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.testsupport.Stress;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Candidates, one per service, all made from the same L3 and promoted from as many threads at once, on the real
 * API server: compare-and-swap lets exactly one through per base, and nothing promoted is ever lost. Five
 * candidates in the inner loop; twenty (190 rebases, most of this class's time) as its {@link Stress} twin.
 */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class L3ConcurrencyTest {
  @TempDir
  Path work;
  KubeConnection kube;

  @AfterEach
  void disconnect() {
    if (kube != null) {
      kube.close();
    }
  }

  /** An L3 of these services at 1.0.0, each also published at 2.0.0. */
  private L3 l3Of(List<String> services, LocalRegistry registry, Path kubeconfig, String ns) {
    TestCharts charts = new TestCharts(registry.ociUrl("l3c-" + ns), work.resolve("charts"));
    services.forEach(service -> charts.publish(service, "1.0.0", "2.0.0"));
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    L3 l3 = L3.on(kube, charts.charts()).withNamespace(ns).withUser("ci");
    l3.init().withFrom(services.stream().map(s -> new ServiceVersion(s, "1.0.0")).toList()).call();
    return l3;
  }

  private static List<String> services(int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> String.format("svc%02d", i)).toList();
  }

  /** Runs every task at the same moment (a latch), each on its own thread; returns what each returned. */
  private static <T> List<T> allAtOnce(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ofFiveCandidatesFromOneL3ExactlyOnePromotesThenRebasingLoopsEndWithAllFiveAndNoneLost(
      LocalRegistry registry, @KubeConfigPath Path kubeconfig, @TestNamespace String ns) throws Exception {
    List<String> services = services(5);
    promoteAllAtOnce(services, l3Of(services, registry, kubeconfig, ns));
  }

  @Test
  @Stress
  void ofTwentyCandidatesFromOneL3ExactlyOnePromotesThenRebasingLoopsEndWithAllTwentyAndNoneLost(
      LocalRegistry registry, @KubeConfigPath Path kubeconfig, @TestNamespace String ns) throws Exception {
    List<String> services = services(20);
    promoteAllAtOnce(services, l3Of(services, registry, kubeconfig, ns));
  }

  private void promoteAllAtOnce(List<String> services, L3 l3) throws Exception {
    int count = services.size();
    String base = l3.current().orElseThrow().version();
    List<Candidate> candidates = allAtOnce(services.stream()
        .map(service -> (Callable<Candidate>) () -> l3.candidate(service, "2.0.0").call()).toList());
    assertThat(candidates).allSatisfy(c -> assertThat(c.base()).isEqualTo(base));

    List<Object> outcomes = allAtOnce(candidates.stream().map(c -> (Callable<Object>) () -> {
      try {
        return l3.promote(c.id()).call();
      } catch (StaleCandidateException e) {
        return e;
      }
    }).toList());

    List<Promoted> promoted = outcomes.stream().filter(Promoted.class::isInstance).map(Promoted.class::cast).toList();
    assertThat(promoted).hasSize(1);
    assertThat(outcomes).filteredOn(StaleCandidateException.class::isInstance).hasSize(count - 1)
        .allSatisfy(e -> assertThat(((StaleCandidateException) e).current()).isEqualTo(promoted.get(0).after()));
    assertThat(l3.listCandidates()).filteredOn(c -> c.verdict() == Verdict.STALE).hasSize(count - 1);

    // Each stale candidate's thread rebases and tries again until it is promoted: one winner per round.
    List<String> promotedIds = Collections.synchronizedList(new ArrayList<>(List.of(promoted.get(0).candidate().id())));
    List<Integer> rounds = allAtOnce(outcomes.stream().filter(StaleCandidateException.class::isInstance)
        .map(e -> (Callable<Integer>) () -> {
          String id = ((StaleCandidateException) e).candidate().id();
          for (int round = 1; ; round++) {
            id = l3.rebase(id).call().id();
            try {
              promotedIds.add(l3.promote(id).call().candidate().id());
              return round;
            } catch (StaleCandidateException again) {
              // L3 moved on again: rebase on the newer one.
            }
          }
        }).toList());

    L3Version last = l3.current().orElseThrow();
    assertThat(last.sequence()).isEqualTo(count + 1);
    assertThat(last.services()).hasSize(count).allSatisfy((service, version) ->
        assertThat(version).as(service).isEqualTo("2.0.0"));
    assertThat(rounds).hasSize(count - 1).contains(1);

    // Every intermediate L3, as the registry holds it: exactly one service more at 2.0.0 than the one before.
    List<Promotion> history = new ArrayList<>(l3.history().call().promotions());
    Collections.reverse(history);
    assertThat(history).extracting(Promotion::sequence)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, count + 1).boxed().toList());
    assertThat(history.stream().skip(1).map(Promotion::candidate)).containsExactlyInAnyOrderElementsOf(promotedIds);
    for (int i = 1; i < history.size(); i++) {
      Promotion before = history.get(i - 1);
      Promotion after = history.get(i);
      assertThat(after.base()).isEqualTo(before.version());
      ManifestDiff diff = l3.diff(before.version(), after.version()).call();
      assertThat(diff.changes()).as("L3 #%d → #%d", before.sequence(), after.sequence())
          .containsExactly(new Change(after.change().service(), Change.CHANGED, "1.0.0", "2.0.0"));
      Map<String, String> promotedSoFar = l3.diff(history.get(0).version(), after.version()).call().changes().stream()
          .collect(Collectors.toMap(Change::service, Change::to));
      assertThat(promotedSoFar).as("L3 #%d keeps every earlier promotion", after.sequence()).hasSize(i)
          .allSatisfy((service, version) -> assertThat(version).isEqualTo("2.0.0"));
    }
  }
}
