package io.stackpipe.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One operation at a time per stack, on a real Lease: real time here, since renewal runs in the background. */
@WithControlPlane
class StackLockTest {

  private static Stacks realTime(StackFixture f, KubeConnection connection) {
    return f.other(connection).withClock(Clock.systemUTC());
  }

  private Lease lease(KubernetesClient admin, StackFixture f, String stack) {
    return admin.leases().inNamespace(f.namespace(stack)).withName(StackLock.LEASE_NAME).get();
  }

  @Test
  void twoThreadsContendTheSecondWaitsForTheFirstOrFailsNamingIt(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) throws Exception {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin);
        KubeConnection second = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      Stacks a = realTime(f, f.kube);
      Stacks b = realTime(f, second);
      a.create("shared").withOwner("alice").call();
      List<String> log = new CopyOnWriteArrayList<>();
      CountDownLatch held = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> first = pool.submit(() -> a.lock("shared").withHolder("alice (deploy web)").call(() -> {
          log.add("a in");
          held.countDown();
          sleep(1500);
          log.add("a out");
          return null;
        }));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> b.lock("shared").withHolder("bob").withTimeout(Duration.ofMillis(300)).acquire())
            .isInstanceOfSatisfying(StackLockedException.class,
                e -> assertThat(e.holder()).startsWith("alice (deploy web) #"))
            .hasMessageStartingWith("stack shared is locked by alice (deploy web) #")
            .hasMessageEndingWith("waited 300ms");

        Future<?> waiting = pool.submit(() -> b.lock("shared").withHolder("bob").withTimeout(Duration.ofSeconds(20))
            .call(() -> log.add("b in")));
        first.get(20, TimeUnit.SECONDS);
        waiting.get(20, TimeUnit.SECONDS);
        assertThat(log).containsExactly("a in", "a out", "b in");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aLockWhoseHolderCrashedIsTakenOverOnceItExpired(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stacks stacks = realTime(f, f.kube);
      stacks.create("orphan").withOwner("alice").call();
      Instant renewed = Instant.now().minusSeconds(60);
      admin.leases().inNamespace(f.namespace("orphan")).resource(new LeaseBuilder().withNewMetadata()
          .withName(StackLock.LEASE_NAME).endMetadata().withNewSpec().withHolderIdentity("crashed-ci #dead")
          .withLeaseDurationSeconds(15).withAcquireTime(renewed.atZone(ZoneOffset.UTC))
          .withRenewTime(renewed.atZone(ZoneOffset.UTC)).withLeaseTransitions(3).endSpec().build()).create();

      try (StackLock.Held held = stacks.lock("orphan").withHolder("bob").acquire()) {
        Lease lease = lease(admin, f, "orphan");
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(held.identity()).startsWith("bob #");
        assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(4);
      }

      // A live holder's lease (renewed 5 s ago, 15 s duration) is not taken.
      Instant fresh = Instant.now().minusSeconds(5);
      Lease live = lease(admin, f, "orphan");
      live.getSpec().setHolderIdentity("busy-ci #live");
      live.getSpec().setRenewTime(fresh.atZone(ZoneOffset.UTC));
      live.getSpec().setLeaseDurationSeconds(15);
      admin.leases().inNamespace(f.namespace("orphan")).resource(live).update();
      assertThatThrownBy(() -> stacks.lock("orphan").withTimeout(Duration.ZERO).acquire()).hasMessageStartingWith(
          "stack orphan is locked by busy-ci #live");
    }
  }

  @Test
  void theLockIsReleasedWhenTheOperationThrows(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stacks stacks = realTime(f, f.kube);
      stacks.create("fragile").withOwner("alice").call();
      assertThatThrownBy(() -> stacks.lock("fragile").call(() -> {
        throw new StackpipeException("deploy failed");
      })).hasMessage("deploy failed");
      assertThat(lease(admin, f, "fragile").getSpec().getHolderIdentity()).isNull();
      try (StackLock.Held again = stacks.lock("fragile").acquire()) {
        assertThat(again.lost()).isFalse();
      }
    }
  }

  @Test
  void aHolderRenewsInTheBackgroundSoItsLockOutlivesTheLeaseDuration(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    try (StackFixture f = new StackFixture(kubeconfig, ns, admin)) {
      Stacks stacks = realTime(f, f.kube);
      stacks.create("long").withOwner("alice").call();
      try (StackLock.Held held = stacks.lock("long").withHolder("long deploy").withLeaseDuration(Duration.ofSeconds(1))
          .acquire()) {
        Instant acquired = lease(admin, f, "long").getSpec().getRenewTime().toInstant();
        // Watched, not slept: done as soon as a renewal lands later than the lease would have expired.
        admin.leases().inNamespace(f.namespace("long")).withName(StackLock.LEASE_NAME).waitUntilCondition(
            l -> l.getSpec().getRenewTime().toInstant().isAfter(acquired.plusSeconds(1)), 20, TimeUnit.SECONDS);
        assertThatThrownBy(() -> stacks.lock("long").withTimeout(Duration.ZERO).acquire()).isInstanceOf(StackLockedException.class);
        assertThat(held.lost()).isFalse();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
