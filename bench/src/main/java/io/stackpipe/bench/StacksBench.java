package io.stackpipe.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.stack.ReapReport;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The reaper's decision pass over N stack namespaces (default 10,000) on a real API server: requests per sweep,
 * wall time and heap, next to a plain fabric8 LIST of the same namespaces. Target: at most 0.75 s, 1 LIST.
 * Then one real sweep that warns 20 stacks and reaps 5, to count the writes. Usage: {@code scripts/bench stacks [N]}.
 */
public final class StacksBench {
  private static final double TARGET_SECONDS = 0.75;
  private static final Instant T0 = Instant.parse("2025-03-03T09:00:00Z");
  private static final String INSTALLATION = "bench";

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    try (ControlPlane plane = ControlPlane.start(); KubernetesClient admin = plane.newClient()) {
      long t0 = System.nanoTime();
      create(admin, count);
      System.out.printf(Locale.ROOT, "created %,d stack namespaces in %.1f s (once, 16 in parallel)%n", count,
          (System.nanoTime() - t0) / 1e9);

      KubeRequests requests = new KubeRequests();
      try (KubeConnection kube = KubeConnection.fromKubeconfig(plane.kubeconfig(), null, requests)) {
        Clock clock = Clock.fixed(T0.plus(Duration.ofDays(7)), ZoneOffset.UTC);
        Stacks stacks = Stacks.on(kube, INSTALLATION).withClock(clock);
        Supplier<ReapReport> dryRun = () -> stacks.reaper().dryRun(true).call();
        Supplier<Integer> baseline = () -> admin.namespaces().withLabel(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY)
            .withLabel(Stack.INSTALLATION_LABEL, INSTALLATION).list().getItems().size();
        for (int i = 0; i < 3; i++) { // warm both paths up (JIT, connections)
          dryRun.get();
          baseline.get();
        }
        List<Double> passes = new ArrayList<>();
        List<Double> lists = new ArrayList<>();
        List<Long> heaps = new ArrayList<>();
        ReapReport report = null;
        for (int i = 0; i < 5; i++) {
          requests.clear();
          resetPeaks();
          long s = System.nanoTime();
          report = dryRun.get();
          passes.add((System.nanoTime() - s) / 1e9);
          heaps.add(peakHeap());
          if (requests.all().size() != 1) {
            throw new IllegalStateException("the decision pass sent " + requests.all());
          }
          long b = System.nanoTime();
          int listed = baseline.get();
          lists.add((System.nanoTime() - b) / 1e9);
          if (listed != count) {
            throw new IllegalStateException("baseline listed " + listed + " of " + count);
          }
        }
        double pass = median(passes);
        double list = median(lists);
        System.out.printf(Locale.ROOT, "decision pass (dry run) over %,d stacks: median %.3f s, best %.3f s;"
            + " %d request (1 LIST); peak heap %d MiB; decisions: %d reap, %d warn, %d keep%n", count, pass,
            passes.stream().min(Double::compare).orElseThrow(), 1, median(heaps) / (1 << 20),
            report.with(ReapReport.Outcome.REAPED).size(), report.with(ReapReport.Outcome.WARNED).size(),
            report.with(ReapReport.Outcome.KEPT).size());
        System.out.printf(Locale.ROOT, "baseline: plain fabric8 LIST of the same namespaces: median %.3f s%n", list);
        System.out.printf(Locale.ROOT, "ratio decision pass / LIST: %.2f; target <= %.2f s: %s%n", pass / list,
            TARGET_SECONDS, pass <= TARGET_SECONDS ? "met" : "MISSED");

        requests.clear();
        long s = System.nanoTime();
        ReapReport real = stacks.reaper().call();
        double sweep = (System.nanoTime() - s) / 1e9;
        Map<String, Long> byMethod = requests.all().stream().collect(Collectors.groupingBy(
            KubeRequests.Request::method, TreeMap::new, Collectors.counting()));
        System.out.printf(Locale.ROOT, "real sweep: %.3f s, %d reaped, %d warned, %d failed; %d requests %s"
            + " (1 LIST, then per warning an Event POST + a namespace PUT, per reap a lock, a mark, a release"
            + " check and a DELETE)%n", sweep, real.with(ReapReport.Outcome.REAPED).size(),
            real.with(ReapReport.Outcome.WARNED).size(), real.with(ReapReport.Outcome.FAILED).size(),
            requests.all().size(), byMethod);
      }
    }
  }

  /** N stacks: 5 idle for 7 days (reaped), 20 for 6.5 days (warned), a tenth persistent, the rest active. */
  private static void create(KubernetesClient admin, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        done.add(pool.submit(() -> {
          Instant last = n < 5 ? T0 : n < 25 ? T0.plus(Duration.ofHours(12)) : T0.plus(Duration.ofDays(5));
          String name = String.format(Locale.ROOT, "bench-%05d", n);
          admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
              .addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).addToLabels(Stack.NAME_LABEL, name)
              .addToLabels(Stack.TYPE_LABEL, n % 10 == 9 ? "persistent" : "ephemeral")
              .addToLabels(Stack.INSTALLATION_LABEL, INSTALLATION)
              .addToAnnotations(Map.of(Stack.OWNER, "owner-" + (n % 50), Stack.PURPOSE, "benchmark stack " + n,
                  Stack.CREATED, T0.toString(), Stack.LAST_ACTIVITY, last.toString(),
                  Stack.LAST_ACTIVITY_KIND, "create", Stack.MANIFEST_CHART, "shop",
                  Stack.MANIFEST_VERSION, "1.0." + n, Stack.MANIFEST_DIGEST, "sha256:" + "0".repeat(59) + String.format("%05d", n)))
              .endMetadata().build()).create();
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static <T extends Comparable<T>> T median(List<T> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }
}
