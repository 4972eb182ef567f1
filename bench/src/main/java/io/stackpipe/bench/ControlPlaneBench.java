package io.stackpipe.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.kube.KubeBinaries;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Warm-start benchmark: binaries cached, so each run measures PKI generation, etcd + kube-apiserver until
 * /readyz, and kube-controller-manager until its first service account exists. Target: at most 15 s.
 * Usage: {@code scripts/bench control-plane [runs]}.
 */
public final class ControlPlaneBench {
  private static final double TARGET_SECONDS = 15.0;

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    KubeBinaries binaries = KubeBinaries.locate();
    System.out.printf(Locale.ROOT, "control plane warm start: Kubernetes %s, etcd %s, %d cores, %d runs%n",
        binaries.kubernetesVersion(), binaries.etcdVersion(), Runtime.getRuntime().availableProcessors(), runs);
    List<Double> starts = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      long t0 = System.nanoTime();
      try (ControlPlane plane = ControlPlane.builder().withBinaries(binaries).start()) {
        double start = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        try (KubernetesClient client = plane.newClient()) {
          client.namespaces().list();
        }
        double firstCall = (System.nanoTime() - t1) / 1e9;
        starts.add(start);
        System.out.printf(Locale.ROOT, "run %d: start %.2f s (ready for tests), first client call %.3f s%n",
            i, start, firstCall);
      }
    }
    List<Double> sorted = starts.stream().sorted().toList();
    double median = sorted.get(sorted.size() / 2);
    System.out.printf(Locale.ROOT, "median start %.2f s, best %.2f s, worst %.2f s; target <= %.1f s: %s%n",
        median, sorted.get(0), sorted.get(sorted.size() - 1), TARGET_SECONDS,
        median <= TARGET_SECONDS ? "met" : "MISSED");
  }
}
