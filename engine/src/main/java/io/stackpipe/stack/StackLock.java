package io.stackpipe.stack;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.Interrupts;
import io.stackpipe.kube.KubeConflictException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One operation at a time per stack: a {@code coordination.k8s.io/v1} Lease named {@value #LEASE_NAME} in the
 * stack's namespace. The holder renews it in the background every third of its duration; a holder that
 * crashed stops renewing, and once {@code renewTime + leaseDurationSeconds} has passed (by the clock of the
 * one who wants it: clocks are assumed to agree within a fraction of the duration) anyone may take it over.
 * Every change is a compare-and-swap on the Lease's resourceVersion, so two contenders never both win.
 */
public final class StackLock {
  public static final String LEASE_NAME = "stackpipe-lock";
  private static final Duration POLL = Duration.ofMillis(200);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KubeConnection kube;
  private final String stack;
  private final String namespace;
  private final Clock clock;
  private String holder = "stackpipe";
  private Duration leaseDuration = Duration.ofSeconds(30);
  private Duration timeout = Duration.ZERO;

  StackLock(KubeConnection kube, String stack, String namespace, Clock clock) {
    this.kube = kube;
    this.stack = stack;
    this.namespace = namespace;
    this.clock = clock;
  }

  /** Who takes the lock, as a waiting contender's message will name it, e.g. {@code alice (deploy web)}. */
  public StackLock withHolder(String value) {
    holder = value.strip().replaceAll("\\s+", " ");
    return this;
  }

  /** How long the lock survives its holder's last renewal (whole seconds, at least 1). */
  public StackLock withLeaseDuration(Duration value) {
    leaseDuration = Duration.ofSeconds(Math.max(1, value.toSeconds()));
    return this;
  }

  /** How long to wait for a lock someone else holds before failing; zero fails at once. */
  public StackLock withTimeout(Duration value) {
    timeout = value;
    return this;
  }

  /** Runs {@code operation} holding the lock; released afterwards, also when it throws. */
  public <T> T call(Supplier<T> operation) {
    try (Held held = acquire()) {
      return operation.get();
    }
  }

  /** Takes the lock, waiting up to the timeout; {@link StackLockedException} names the holder otherwise. */
  public Held acquire() {
    String identity = holder + " #" + HexFormat.of().formatHex(RANDOM.generateSeed(4));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Lease lease = get();
      Instant now = clock.instant();
      try {
        if (lease == null) {
          create(identity, now);
          return new Held(identity);
        }
        LeaseSpec spec = lease.getSpec();
        if (isFree(spec, now)) {
          spec.setHolderIdentity(identity);
          spec.setAcquireTime(time(now));
          spec.setRenewTime(time(now));
          spec.setLeaseDurationSeconds((int) leaseDuration.toSeconds());
          spec.setLeaseTransitions(spec.getLeaseTransitions() == null ? 1 : spec.getLeaseTransitions() + 1);
          kube.objects().updateIfUnchanged(lease);
          return new Held(identity);
        }
      } catch (KubeConflictException | AlreadyCreated e) {
        continue; // someone else moved first: look again
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        LeaseSpec spec = lease.getSpec();
        throw new StackLockedException(stack, spec.getHolderIdentity(), " since "
            + (spec.getAcquireTime() == null ? "(unknown)" : spec.getAcquireTime().toInstant())
            + " (lease renewed at " + (spec.getRenewTime() == null ? "(never)" : spec.getRenewTime().toInstant())
            + ", expires " + leaseDurationSeconds(spec) + "s after its last renewal); waited "
            + (timeout.toMillis() < 1000 ? timeout.toMillis() + "ms" : Durations.format(timeout)));
      }
      sleep(Math.min(left, POLL.toNanos()));
    }
  }

  private static boolean isFree(LeaseSpec spec, Instant now) {
    if (spec.getHolderIdentity() == null || spec.getHolderIdentity().isEmpty()) {
      return true;
    }
    Instant renewed = spec.getRenewTime() != null ? spec.getRenewTime().toInstant()
        : spec.getAcquireTime() != null ? spec.getAcquireTime().toInstant() : Instant.EPOCH;
    return renewed.plusSeconds(leaseDurationSeconds(spec)).isBefore(now);
  }

  private static int leaseDurationSeconds(LeaseSpec spec) {
    return spec.getLeaseDurationSeconds() == null ? 0 : spec.getLeaseDurationSeconds();
  }

  private Lease get() {
    try {
      return kube.client().leases().inNamespace(namespace).withName(LEASE_NAME).get();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "get", "leases", namespace);
    }
  }

  private void create(String identity, Instant now) {
    Lease lease = new LeaseBuilder().withNewMetadata().withName(LEASE_NAME).withNamespace(namespace)
        .addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).endMetadata()
        .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds((int) leaseDuration.toSeconds())
        .withAcquireTime(time(now)).withRenewTime(time(now)).withLeaseTransitions(0).endSpec().build();
    try {
      kube.client().leases().inNamespace(namespace).resource(lease).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new AlreadyCreated();
      }
      if (e.getCode() == 404) {
        throw new KubeException("stack " + stack + " has no namespace " + namespace + " to hold its lock", e);
      }
      throw kube.translate(e, "create", "leases", namespace);
    }
  }

  private static ZonedDateTime time(Instant instant) {
    return instant.atZone(ZoneOffset.UTC);
  }

  private static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubeException("interrupted while waiting for the lock of a stack", e);
    }
  }

  /** A lost race to create the Lease. */
  private static final class AlreadyCreated extends RuntimeException {
    AlreadyCreated() {
      super(null, null, false, false);
    }
  }

  /** The lock, held and renewed in the background until {@link #close()}. */
  public final class Held implements AutoCloseable {
    private final String identity;
    private final ScheduledExecutorService renewer;
    private volatile boolean lost;

    private Held(String identity) {
      this.identity = identity;
      this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "stackpipe-lock-" + stack);
        thread.setDaemon(true);
        return thread;
      });
      long period = Math.max(100, leaseDuration.toMillis() / 3);
      renewer.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /** The Lease's holderIdentity: the holder's description plus a random suffix unique to this acquisition. */
    public String identity() {
      return identity;
    }

    /** Whether someone else took the lock over (this holder failed to renew it in time). */
    public boolean lost() {
      return lost;
    }

    private void renew() {
      try {
        Lease lease = get();
        if (lease == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
          lost = true;
          renewer.shutdown();
          return;
        }
        lease.getSpec().setRenewTime(time(clock.instant()));
        kube.objects().updateIfUnchanged(lease);
      } catch (RuntimeException e) {
        // A conflict or a blip: the next tick tries again, well before the lease expires.
      }
    }

    /** Releases the lock if it is still this holder's; a namespace already deleted released it too. */
    @Override
    public void close() {
      // An abort must still release the lock (else the stack's cleanup waits for the lease to expire).
      Interrupts.uninterrupted(this::release);
    }

    private void release() {
      renewer.shutdownNow();
      try {
        renewer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (int attempt = 0; attempt < 3; attempt++) {
        Lease lease;
        try {
          lease = get();
        } catch (KubeException e) {
          return; // cannot see it: it expires by itself
        }
        if (lease == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
          return;
        }
        lease.getSpec().setHolderIdentity(null);
        lease.getSpec().setRenewTime(time(clock.instant()));
        try {
          kube.objects().updateIfUnchanged(lease);
          return;
        } catch (KubeConflictException e) {
          // renewed concurrently by our own renewer's last tick: read again
        } catch (KubeException e) {
          return; // e.g. the namespace is going: the lease goes with it, or expires
        }
      }
    }
  }
}
