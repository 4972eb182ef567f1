package io.stackpipe.manifest.l3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaPull;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    void ofConcurrentInitsExactlyOneWins() throws Exception {
      List<Callable<Object>> inits = new ArrayList<>();
      for (String from : List.of("orders=1.0.0", "orders=1.1.0", "billing=1.0.0", "gateway=1.0.0")) {
        inits.add(() -> {
          try {
            return l3.init().withFrom(ServiceVersion.parseList(from, "from")).call();
          } catch (StackpipeException e) {
            return e;
          }
        });
      }
      ExecutorService pool = Executors.newFixedThreadPool(inits.size());
      List<Object> outcomes = new ArrayList<>();
      try {
        for (Future<Object> f : pool.invokeAll(inits)) {
          outcomes.add(f.get());
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(outcomes).filteredOn(L3Version.class::isInstance).singleElement()
          .satisfies(winner -> assertThat(l3.current()).contains((L3Version) winner));
      assertThat(outcomes).filteredOn(StackpipeException.class::isInstance).hasSize(3)
          .allSatisfy(e -> assertThat(((Exception) e).getMessage()).startsWith("L3 of platform already exists"));
    }

    @Test
    void anL3InstallsWithHelmAsOneReleaseOfItsServices(@TestNamespace String ns, KubernetesClient admin) {
      L3Version first = initOrdersAndBilling();
      Umbrella umbrella = pulled(first.version());

      kube.releases().install("platform", ns, umbrella.archive(), Map.of());

      assertThat(kube.releases().status("platform", ns).chart()).isEqualTo("platform-" + first.version());
      assertThat(admin.configMaps().inNamespace(ns).withName("orders").get().getData())
          .containsEntry("version", "1.0.0");
      assertThat(admin.configMaps().inNamespace(ns).withName("billing").get().getData())
          .containsEntry("version", "1.0.0");
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

    @Test
    void aNewServiceCountsAsTheOneChange() {
      initOrdersAndBilling();

      Candidate c = l3.candidate("gateway", "1.0.0").call();

      assertThat(c.change()).isEqualTo(new Change("gateway", Change.ADDED, null, "1.0.0"));
      assertThat(c.services()).containsOnlyKeys("billing", "gateway", "orders");
    }

    @Test
    void removingAServiceIsItsOwnCandidate() {
      initOrdersAndBilling();

      Candidate c = l3.removeService("billing").call();

      assertThat(c.change()).isEqualTo(new Change("billing", Change.REMOVED, "1.0.0", null));
      assertThat(c.services()).containsExactly(Map.entry("orders", "1.0.0"));
      assertThat(pulled(c.version()).services()).extracting(Umbrella.Service::name).containsExactly("orders");
      assertThatThrownBy(() -> l3.removeService("gateway").call()).isInstanceOf(StackpipeException.class)
          .hasMessageStartingWith("gateway is not in L3 ").hasMessageEndingWith("(it has billing, orders)")
          .extracting(e -> ((StackpipeException) e).field().orElseThrow()).isEqualTo("service");
    }

    @Test
    void aWholeListOfPinsMayChangeOneServiceOnly() {
      initOrdersAndBilling();

      Candidate one = l3.candidate(ServiceVersion.parseList("orders=1.0.0,billing=2.0.0", "service")).call();
      assertThat(one.change()).isEqualTo(new Change("billing", Change.CHANGED, "1.0.0", "2.0.0"));

      assertThatThrownBy(() -> l3.candidate(ServiceVersion.parseList("orders=1.1.0,billing=2.0.0", "service"))
          .call()).isInstanceOf(StackpipeException.class)
          .hasMessage("more than one service would change (orders=1.1.0, billing=2.0.0): a candidate changes"
              + " exactly one service of L3");
      assertThat(l3.listCandidates()).containsExactly(one);
    }

    @Test
    void aVersionAlreadyInL3IsANoOpSaidSo() {
      L3Version base = initOrdersAndBilling();

      assertThatThrownBy(() -> l3.candidate("orders", "1.0.0").call()).isInstanceOf(AlreadyInL3Exception.class)
          .hasMessage("orders 1.0.0 is already in L3 " + base.version() + ": nothing to change");
      assertThat(l3.listCandidates()).isEmpty();
    }

    @Test
    void anUnknownServiceOrVersionIsRefusedNamingWhatThereIsAndRecordsNothing() {
      initOrdersAndBilling();

      assertThatThrownBy(() -> l3.candidate("orders", "9.9.9").call())
          .hasMessage("orders 9.9.9 is not in " + charts.charts() + " (it has 1.0.0, 1.1.0, 1.2.0)")
          .extracting(e -> ((StackpipeException) e).field().orElseThrow()).isEqualTo("version");
      assertThatThrownBy(() -> l3.candidate("payments", "1.0.0").call())
          .hasMessage("no chart payments in " + charts.charts())
          .extracting(e -> ((StackpipeException) e).field().orElseThrow()).isEqualTo("service");
      assertThatThrownBy(() -> l3.candidate("Orders", "1.0.0"))
          .hasMessage("'Orders' is not a chart name (a DNS-1123 label)");
      assertThatThrownBy(() -> l3.candidate("orders", "latest").call())
          .hasMessage("'latest' of orders is not SemVer 2 (e.g. 1.4.0 or 1.4.0-rc.1)");
      assertThat(l3.listCandidates()).isEmpty();
    }

    @Test
    void aMalformedOrUnknownCandidateIdIsRefusedAsTheCandidateInput() {
      initOrdersAndBilling();

      for (String bad : List.of("C12345678", "c123", "c12345678x", "../platform-l3", "")) {
        assertThatThrownBy(() -> l3.promote(bad)).isInstanceOf(StackpipeException.class)
            .hasMessage("'" + bad + "' is not a candidate id (c and 8 characters a-z 0-9, e.g. c4k9x2m7q)")
            .extracting(e -> ((StackpipeException) e).field().orElseThrow()).isEqualTo("candidate");
      }
      assertThatThrownBy(() -> l3.promote("c00000000").call())
          .hasMessageStartingWith("no candidate c00000000 of platform in namespace ");
    }

    @Test
    void instantsKeepTheirMillisecondsAndCandidatesListNewestFirst() {
      initOrdersAndBilling();
      Candidate older = l3.withClock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
          .candidate("orders", "1.1.0").call();
      Candidate newer = l3.withClock(Clock.fixed(Instant.parse("2026-01-01T00:00:00.001Z"), ZoneOffset.UTC))
          .candidate("orders", "1.2.0").call();

      assertThat(older.created()).isEqualTo("2026-01-01T00:00:00.000Z");
      assertThat(l3.listCandidates()).extracting(Candidate::id).containsExactly(newer.id(), older.id());
    }

    @Test
    void theRetentionLimitPrunesTheOldestFinishedCandidatesAndNeverAnOpenOne() {
      initOrdersAndBilling();
      l3.withCandidateRetention(2);
      Candidate open = l3.candidate("orders", "1.1.0").call();
      List<String> rejected = new ArrayList<>();
      for (String version : List.of("1.2.0", "1.1.0", "1.2.0")) {
        Candidate c = l3.candidate("orders", version).call();
        l3.reject(c.id()).withReason("not this one").call();
        rejected.add(c.id());
      }

      l3.candidate("billing", "2.0.0").call();

      assertThat(l3.listCandidates()).extracting(Candidate::id).hasSize(4).contains(open.id())
          .contains(rejected.get(1), rejected.get(2)).doesNotContain(rejected.get(0));
    }
  }

  @Nested
  class Verdicts {

    @Test
    void rejectingRecordsTheReasonAndARejectedCandidateIsNeverPromoted() {
      L3Version base = initOrdersAndBilling();
      Candidate c = l3.candidate("orders", "1.1.0").call();

      Candidate rejected = l3.reject(c.id()).withReason("  breaks   checkout ").call();

      assertThat(rejected.verdict()).isEqualTo(Verdict.REJECTED);
      assertThat(rejected.reason()).isEqualTo("breaks checkout");
      assertThatThrownBy(() -> l3.promote(c.id()).call())
          .hasMessage(c.id() + " is rejected (breaks checkout): only pending or passed candidates are promoted");
      assertThatThrownBy(() -> l3.reject(c.id()).call()).hasMessage("is required: say why the candidate is rejected");
      assertThat(l3.current()).contains(base);
    }

    @Test
    void theGateRecordsItsStackAndTimingsInPhasesThenTheVerdict() {
      initOrdersAndBilling();
      Candidate c = l3.candidate("orders", "1.1.0").call();

      Candidate opened = l3.recordTest(c.id()).onStack("l3-" + c.id()).withTiming("stack", Duration.ofMillis(1200))
          .call();
      Candidate passed = l3.recordTest(c.id()).withTiming("tests", Duration.ofSeconds(3)).passed().call();

      assertThat(opened.verdict()).isEqualTo(Verdict.PENDING);
      assertThat(passed.verdict()).isEqualTo(Verdict.PASSED);
      assertThat(passed.stack()).isEqualTo("l3-" + c.id());
      assertThat(passed.timings()).containsExactly(Map.entry("stack", 1200L), Map.entry("tests", 3000L));
      assertThat(l3.promote(c.id()).call().candidate().timings()).isEqualTo(passed.timings());
    }

    @Test
    void aFailedCandidateIsFinished() {
      initOrdersAndBilling();
      Candidate c = l3.candidate("orders", "1.1.0").call();

      Candidate failed = l3.recordTest(c.id()).failed("tests exited 1").call();

      assertThat(failed.verdict()).isEqualTo(Verdict.FAILED);
      assertThat(failed.reason()).isEqualTo("tests exited 1");
      assertThatThrownBy(() -> l3.recordTest(c.id()).passed().call())
          .hasMessage(c.id() + " is failed: only a pending or passed candidate's tests are recorded");
      assertThatThrownBy(() -> l3.promote(c.id()).call()).hasMessageStartingWith(c.id() + " is failed (tests exited 1)");
    }
  }

  @Nested
  class Promoting {

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

    @Test
    void aCandidateFromAnOlderL3BecomesStaleAndIsRefusedNamingTheNewBase() {
      L3Version base = initOrdersAndBilling();
      Candidate orders = l3.candidate("orders", "1.1.0").call();
      Candidate billing = l3.candidate("billing", "2.0.0").call();
      L3Version after = l3.promote(orders.id()).call().after();

      assertThatThrownBy(() -> l3.promote(billing.id()).call()).isInstanceOf(StaleCandidateException.class)
          .hasMessage("candidate " + billing.id() + " is stale: it was made from L3 " + base.version() + " (#1) but"
              + " L3 is now " + after.version() + " (#2); rebase it to test billing 1.0.0 → 2.0.0 on the new L3");

      Candidate stale = l3.candidateById(billing.id());
      assertThat(stale.verdict()).isEqualTo(Verdict.STALE);
      assertThat(stale.reason()).isEqualTo("L3 moved on to " + after.version() + " (#2)");
      assertThat(l3.current()).contains(after);
      assertThat(after.services()).containsEntry("billing", "1.0.0");
    }

    @Test
    void rebasingRepeatsTheSameChangeOnTheNewL3() {
      initOrdersAndBilling();
      Candidate orders = l3.candidate("orders", "1.1.0").call();
      Candidate billing = l3.candidate("billing", "2.0.0").call();
      l3.promote(orders.id()).call();
      assertThatThrownBy(() -> l3.promote(billing.id()).call()).isInstanceOf(StaleCandidateException.class);

      Candidate rebased = l3.rebase(billing.id()).call();
      Promoted promoted = l3.promote(rebased.id()).call();

      assertThat(rebased.rebasedFrom()).isEqualTo(billing.id());
      assertThat(rebased.baseSequence()).isEqualTo(2);
      assertThat(rebased.version()).isEqualTo("3.0.0-" + rebased.id());
      assertThat(rebased.change()).isEqualTo(new Change("billing", Change.CHANGED, "1.0.0", "2.0.0"));
      assertThat(promoted.after().services()).containsExactly(Map.entry("billing", "2.0.0"),
          Map.entry("orders", "1.1.0"));
      assertThatThrownBy(() -> l3.rebase(rebased.id()).call()).hasMessage(rebased.id() + " is promoted: nothing to"
          + " rebase");
    }

    @Test
    void rebasingAnOpenCandidateOnAMovedL3LeavesTheOldOneStale() {
      initOrdersAndBilling();
      Candidate orders = l3.candidate("orders", "1.1.0").call();
      Candidate removal = l3.removeService("billing").call();
      assertThatThrownBy(() -> l3.rebase(removal.id()).call())
          .hasMessageEndingWith("is based on the current L3 " + removal.base() + " already: nothing to rebase");
      l3.promote(orders.id()).call();

      Candidate rebased = l3.rebase(removal.id()).call();

      assertThat(rebased.change()).isEqualTo(new Change("billing", Change.REMOVED, "1.0.0", null));
      assertThat(rebased.services()).containsExactly(Map.entry("orders", "1.1.0"));
      assertThat(l3.candidateById(removal.id()).verdict()).isEqualTo(Verdict.STALE);
      assertThat(l3.candidateById(removal.id()).reason()).isEqualTo("rebased as " + rebased.id());
    }
  }

  @Nested
  class HistoryAndDiff {

    @Test
    void historyListsPromotionsNewestFirstByServiceAndKeepsTheLimit() {
      l3.withHistoryLimit(3);
      L3Version first = l3.init().withFrom(ServiceVersion.parseList("orders=1.0.0", "from")).call();
      List<String> versions = new ArrayList<>(List.of(first.version()));
      for (ServiceVersion change : ServiceVersion.parseList("orders=1.1.0,billing=1.0.0", "x")) {
        versions.add(l3.promote(l3.candidate(change.name(), change.version()).call().id()).call()
            .after().version());
      }
      assertThat(l3.history().call().promotions()).extracting(Promotion::version)
          .containsExactly(versions.get(2), versions.get(1), versions.get(0));
      versions.add(l3.promote(l3.candidate("orders", "1.2.0").call().id()).call().after().version());

      L3History all = l3.history().call();
      L3History orders = l3.history().withService("orders").call();

      assertThat(all.promotions()).extracting(Promotion::sequence).containsExactly(4, 3, 2);
      assertThat(all.promotions().get(0).change()).isEqualTo(new Change("orders", Change.CHANGED, "1.1.0", "1.2.0"));
      assertThat(all.promotions().get(0).base()).isEqualTo(versions.get(2));
      assertThat(all.promotions().get(0).by()).isEqualTo("alice");
      assertThat(orders.promotions()).extracting(p -> p.change().to()).containsExactly("1.2.0", "1.1.0");
    }

    @Test
    void diffNamesServicesAddedChangedAndRemovedBetweenAnyTwoManifests() {
      L3Version first = initOrdersAndBilling();
      Candidate orders = l3.candidate("orders", "1.2.0").call();
      l3.promote(orders.id()).call();
      Candidate removal = l3.removeService("billing").call();
      Candidate gateway = l3.candidate("gateway", "1.0.0").call();

      ManifestDiff fromFirst = l3.diff(first.version(), removal.id()).call();
      ManifestDiff toGateway = l3.diff(L3.TAG, gateway.id()).call();

      assertThat(fromFirst.changes()).containsExactly(new Change("billing", Change.REMOVED, "1.0.0", null),
          new Change("orders", Change.CHANGED, "1.0.0", "1.2.0"));
      assertThat(fromFirst.fromVersion()).isEqualTo(first.version());
      assertThat(toGateway.of(Change.ADDED)).containsExactly(new Change("gateway", Change.ADDED, null, "1.0.0"));
      assertThat(toGateway.of(Change.CHANGED)).isEmpty();
      assertThat(l3.diff(L3.TAG, orders.version()).call().changes()).isEmpty();
      assertThat(l3.diff("l3:1", "l3:2").call().changes())
          .containsExactly(new Change("orders", Change.CHANGED, "1.0.0", "1.2.0"));
      assertThatThrownBy(() -> l3.diff("l3", "latest").call()).hasMessage("'latest' is not l3, l3:N (L3 number N), a"
          + " candidate id (c and 8 characters a-z 0-9) or a version of platform");
      assertThatThrownBy(() -> l3.diff("l3:7", "l3").call()).hasMessage("L3 #7 is not in the history kept (#1 to #2)");
    }
  }
}
