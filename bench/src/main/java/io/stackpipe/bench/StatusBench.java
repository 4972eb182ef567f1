package io.stackpipe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import io.stackpipe.status.Status;
import io.stackpipe.status.StatusHtml;
import io.stackpipe.status.StatusReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

/**
 * The status report over N stacks × M services (default 1,000 × 20) on a real API server: wall time, requests,
 * peak heap; next to the per-release approach (helm-java's {@code helm list} per stack namespace, which reads and
 * decodes every release Secret) and next to one LIST of every Helm release Secret, in the same run. The releases
 * are written directly as Helm release records (Secrets {@code sh.helm.release.v1.*}, gzipped release JSON with a
 * chart and a six-object manifest, as Helm stores them), beside each stack's deployed-services record.
 * Target: the report ≤ 1 s. Usage: {@code scripts/bench status [stacks] [services]}.
 */
public final class StatusBench {
  private static final double TARGET_SECONDS = 1.0;
  private static final String INSTALLATION = "bench";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-20T09:00:00Z");

  public static void main(String[] args) throws Exception {
    int stacks = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int services = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    try (ControlPlane plane = ControlPlane.start(); KubernetesClient admin = plane.newClient()) {
      long t0 = System.nanoTime();
      long releaseBytes = create(admin, stacks, services);
      System.out.printf(Locale.ROOT, "created %,d stacks × %d services: %,d Helm release Secrets (%,d MB of release"
          + " data) and %,d deployed-services records in %.1f s (once, 16 in parallel)%n", stacks, services,
          stacks * services, releaseBytes >> 20, stacks, (System.nanoTime() - t0) / 1e9);

      KubeRequests requests = new KubeRequests();
      try (KubeConnection kube = KubeConnection.fromKubeconfig(plane.kubeconfig(), null, requests)) {
        Status status = Status.of(Stacks.on(kube, INSTALLATION));
        for (int i = 0; i < 3; i++) { // warm up (JIT, connections)
          status.call();
        }
        List<Double> times = new ArrayList<>();
        List<Long> heaps = new ArrayList<>();
        StatusReport report = null;
        for (int i = 0; i < 7; i++) {
          requests.clear();
          resetPeaks();
          long s = System.nanoTime();
          report = status.call();
          times.add((System.nanoTime() - s) / 1e9);
          heaps.add(peakHeap());
        }
        int sent = requests.all().size();
        int shown = report.stacks().stream().mapToInt(r -> r.services().size()).sum();
        if (report.stacks().size() != stacks || shown != stacks * services) {
          throw new IllegalStateException("report holds " + report.stacks().size() + " stacks, " + shown + " services");
        }
        long h = System.nanoTime();
        int page = StatusHtml.page(report, 30).length();
        double html = (System.nanoTime() - h) / 1e9;
        double median = median(times);
        System.out.printf(Locale.ROOT, "status report (%,d stacks, %,d services): median %.3f s, best %.3f s; %d"
            + " requests %s; peak heap %d MiB; page %,d KB rendered in %.3f s%n", stacks, shown, median,
            times.stream().min(Double::compare).orElseThrow(), sent, requests.all(), median(heaps) >> 20, page >> 10,
            html);

        // The naive one-list alternative: every Helm release Secret (each holds the gzipped chart and manifest).
        long a = System.nanoTime();
        int secrets = admin.secrets().inAnyNamespace().withLabel("owner", "helm").list().getItems().size();
        double allSecrets = (System.nanoTime() - a) / 1e9;
        System.out.printf(Locale.ROOT, "one LIST of all %,d Helm release Secrets (not decoded): %.3f s%n", secrets,
            allSecrets);

        // The per-release approach: helm list in each stack namespace (helm-java, the Helm the engine embeds).
        kube.releases().list("bench-00000"); // loads the native library: not part of the figure
        long p = System.nanoTime();
        int listed = 0;
        for (int i = 0; i < stacks; i++) {
          listed += kube.releases().list(namespace(i)).size();
        }
        double perRelease = (System.nanoTime() - p) / 1e9;
        if (listed != stacks * services) {
          throw new IllegalStateException("helm list saw " + listed + " releases");
        }
        System.out.printf(Locale.ROOT, "per-release approach: helm list in each of %,d namespaces (%,d releases):"
            + " %.1f s%n", stacks, listed, perRelease);
        System.out.printf(Locale.ROOT, "ratio helm list per namespace / status report: %.0f×; target <= %.1f s: %s%n",
            perRelease / median, TARGET_SECONDS, median <= TARGET_SECONDS ? "met" : "MISSED");
      }
    }
  }

  static String namespace(int i) {
    return String.format(Locale.ROOT, "bench-%05d", i);
  }

  /** The stacks, each with its record and a Helm release Secret per service; returns the release data's size. */
  private static long create(KubernetesClient admin, int stacks, int services) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < stacks; i++) {
        int n = i;
        done.add(pool.submit(() -> {
          String ns = namespace(n);
          admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
              .addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).addToLabels(Stack.NAME_LABEL, ns)
              .addToLabels(Stack.TYPE_LABEL, n % 10 == 9 ? "persistent" : "ephemeral")
              .addToLabels(Stack.INSTALLATION_LABEL, INSTALLATION)
              .addToAnnotations(Map.of(Stack.OWNER, "owner-" + n % 50, Stack.PURPOSE, "benchmark stack " + n,
                  Stack.CREATED, T0.toString(), Stack.LAST_ACTIVITY, T0.plusSeconds(n * 60L).toString(),
                  Stack.LAST_ACTIVITY_KIND, "deploy"))
              .endMetadata().build()).create();
          List<DeployedServices.Service> record = new ArrayList<>();
          for (int s = 0; s < services; s++) {
            String name = "svc-" + s;
            String version = "1." + s + "." + (n % 3);
            record.add(new DeployedServices.Service(name, name, version, "sha256:" + "0".repeat(64), "ephemeral", 1,
                "deployed", false, T0.toString(), "owner-" + n % 50));
            String release = helmRelease(name, ns, version);
            bytes.addAndGet(release.length());
            admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata()
                .withName("sh.helm.release.v1." + name + ".v1").addToLabels(Map.of("owner", "helm", "name", name,
                    "status", "deployed", "version", "1")).endMetadata().withType("helm.sh/release.v1")
                .addToData("release", Base64.getEncoder().encodeToString(release.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
          }
          admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
              .withName(DeployedServices.NAME).addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY)
              .addToLabels(Stack.INSTALLATION_LABEL, INSTALLATION)
              .addToLabels(DeployedServices.RECORD_LABEL, DeployedServices.RECORD).endMetadata()
              .addToData(DeployedServices.DATA_KEY, JSON.writeValueAsString(record)).build()).create();
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return bytes.get();
  }

  /** A release as Helm's Secret driver stores it: base64 of the gzipped release JSON. */
  private static String helmRelease(String name, String namespace, String version) {
    StringBuilder manifest = new StringBuilder();
    String[] kinds = {"ConfigMap", "Secret", "Service", "ServiceAccount", "Deployment", "HorizontalPodAutoscaler"};
    for (String kind : kinds) {
      manifest.append("---\n# Source: ").append(name).append("/templates/").append(kind.toLowerCase(Locale.ROOT))
          .append(".yaml\napiVersion: v1\nkind: ").append(kind).append("\nmetadata:\n  name: ").append(name)
          .append("\n  labels:\n    app.kubernetes.io/name: ").append(name)
          .append("\n    app.kubernetes.io/instance: ").append(name).append("\n    app.kubernetes.io/version: \"")
          .append(version).append("\"\n    helm.sh/chart: ").append(name).append('-').append(version)
          .append("\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: app\n"
              + "          image: registry.example.com/services/").append(name).append("@sha256:")
          .append("0123456789abcdef".repeat(4)).append("\n          ports:\n            - containerPort: 8080\n");
    }
    List<Map<String, Object>> templates = new ArrayList<>();
    for (String kind : kinds) {
      templates.add(Map.of("name", "templates/" + kind.toLowerCase(Locale.ROOT) + ".yaml", "data", Base64.getEncoder()
          .encodeToString(("{{- /* " + kind + " */ -}}\n" + "apiVersion: v1\nkind: " + kind + "\nmetadata:\n  name: "
              + "{{ include \"chart.fullname\" . }}\n  labels: {{- include \"chart.labels\" . | nindent 4 }}\n")
              .repeat(4).getBytes(StandardCharsets.UTF_8))));
    }
    Map<String, Object> release = new LinkedHashMap<>();
    release.put("name", name);
    release.put("info", Map.of("first_deployed", T0.toString(), "last_deployed", T0.toString(), "deleted", "",
        "description", "Install complete", "status", "deployed"));
    release.put("chart", Map.of("metadata", Map.of("name", name, "version", version, "appVersion", version,
        "apiVersion", "v2", "type", "application"), "templates", templates,
        "values", Map.of("replicaCount", 1, "image", Map.of("repository", "registry.example.com/services/" + name)),
        "files", List.of()));
    release.put("config", Map.of("config", Map.of("LOG_LEVEL", "info")));
    release.put("manifest", manifest.toString());
    release.put("version", 1);
    release.put("namespace", namespace);
    try {
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
        out.write(JSON.writeValueAsBytes(release));
      }
      return Base64.getEncoder().encodeToString(gz.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
