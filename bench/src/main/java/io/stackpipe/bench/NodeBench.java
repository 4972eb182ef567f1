package io.stackpipe.bench;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.kube.KubeBinaries;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local node, measured from nothing each run: cluster start until the node is Ready (pause image build and
 * pull included), a Deployment of the orders example (readiness probe) from create to Available, a scale from 1
 * to 10 replicas until all are ready, and the resident memory of the seven daemons. The baseline, measured in
 * the same run, is the control plane alone (no node). Targets: node Ready <= 6 s, Available <= 3 s, daemons
 * <= 1 GiB. Usage: {@code scripts/bench node [runs]}.
 */
public final class NodeBench {

  private static final double START_TARGET = 6.0;
  private static final double AVAILABLE_TARGET = 3.0;
  private static final double RSS_TARGET_MIB = 1024;

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    KubeBinaries binaries = KubeBinaries.locate();
    Path examples = Path.of(System.getProperty("stackpipe.repo.root", ".")).resolve("examples/services");
    System.out.printf(Locale.ROOT, "local node: Kubernetes %s, %d cores, %d runs%n", binaries.kubernetesVersion(),
        Runtime.getRuntime().availableProcessors(), runs);
    List<Double> baseline = new ArrayList<>();
    List<Double> starts = new ArrayList<>();
    List<Double> available = new ArrayList<>();
    List<Double> scaled = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    try (LocalRegistry registry = LocalRegistry.start()) {
      String image = registry.host() + "/services/orders:bench";
      GoImages.push(examples.resolve("orders/app"), "orders", image);
      for (int i = 1; i <= runs; i++) {
        long t0 = System.nanoTime();
        try (ControlPlane plane = ControlPlane.builder().withBinaries(binaries).start()) {
          baseline.add(seconds(t0));
        }
        t0 = System.nanoTime();
        try (ControlPlane plane = ControlPlane.builder().withBinaries(binaries).withNode(registry.host()).start();
             KubernetesClient client = plane.newClient()) {
          starts.add(seconds(t0));
          t0 = System.nanoTime();
          client.apps().deployments().inNamespace("default").resource(deployment(image)).create();
          awaitReady(client, 1);
          available.add(seconds(t0));
          t0 = System.nanoTime();
          client.apps().deployments().inNamespace("default").withName("orders").scale(10);
          awaitReady(client, 10);
          scaled.add(seconds(t0));
          rss.add(plane.pids().values().stream().mapToDouble(NodeBench::rssMib).sum());
          System.out.printf(Locale.ROOT, "run %d: control plane alone %.2f s; node Ready %.2f s; Deployment "
                  + "Available %.2f s; scale 1->10 %.2f s; daemons %.0f MiB%n", i, baseline.get(i - 1),
              starts.get(i - 1), available.get(i - 1), scaled.get(i - 1), rss.get(i - 1));
        }
      }
    }
    double start = median(starts);
    double base = median(baseline);
    System.out.printf(Locale.ROOT, "median node Ready %.2f s (baseline: control plane alone %.2f s, ratio %.2f); "
        + "target <= %.1f s: %s%n", start, base, start / base, START_TARGET, start <= START_TARGET ? "met" : "MISSED");
    System.out.printf(Locale.ROOT, "median Deployment Available %.2f s; target <= %.1f s: %s%n", median(available),
        AVAILABLE_TARGET, median(available) <= AVAILABLE_TARGET ? "met" : "MISSED");
    System.out.printf(Locale.ROOT, "median scale 1->10 all ready %.2f s%n", median(scaled));
    System.out.printf(Locale.ROOT, "median daemons RSS %.0f MiB; target <= %.0f MiB: %s%n", median(rss),
        RSS_TARGET_MIB, median(rss) <= RSS_TARGET_MIB ? "met" : "MISSED");
  }

  private static Deployment deployment(String image) {
    Map<String, String> labels = Map.of("app", "orders");
    return new DeploymentBuilder().withNewMetadata().withName("orders").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(labels).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("orders").withImage(image)
        .addNewEnv().withName("PAYMENT_TIMEOUT_SECONDS").withValue("5").endEnv()
        .withNewReadinessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(8080)).endHttpGet()
        .withPeriodSeconds(1).endReadinessProbe()
        .endContainer().endSpec().endTemplate().endSpec().build();
  }

  private static void awaitReady(KubernetesClient client, int replicas) {
    client.apps().deployments().inNamespace("default").withName("orders").waitUntilCondition(d ->
        d.getStatus() != null && Integer.valueOf(replicas).equals(d.getStatus().getAvailableReplicas())
            && Integer.valueOf(replicas).equals(d.getStatus().getReadyReplicas()), 2, TimeUnit.MINUTES);
  }

  private static double rssMib(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(l -> l.startsWith("VmRSS:")).mapToDouble(l -> Double.parseDouble(l.replaceAll("[^0-9]", "")) / 1024)
          .sum();
    } catch (IOException gone) {
      return 0;
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(List<Double> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }
}
