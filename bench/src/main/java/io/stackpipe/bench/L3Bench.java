package io.stackpipe.bench;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.stackpipe.base.FileTrees;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.kube.release.DriftCheck;
import io.stackpipe.kube.release.ReleaseApplied;
import io.stackpipe.kube.release.ReleaseInstall;
import io.stackpipe.kube.release.ReleaseUpgrade;
import io.stackpipe.local.HelmCli;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.StaleCandidateException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The L3 candidate stack's release on a real API server (control plane only: objects created, no wait), the fast
 * release path ({@code kube.release}) next to the real Helm CLI (the version helm-java embeds) doing the same in the
 * same run: install of a generated umbrella of N services (6 objects each, helm-create-style helpers), and an
 * upgrade where one service's chart changed (drift check on, the default, and changed-only). Fresh namespace per
 * run, medians; API requests from the API server's {@code /metrics} ({@code apiserver_request_total}, everyone's),
 * and the fast path's own requests as its client sent them. Baselines: ../shared/helm-umbrella-baselines.md.
 * Last, promotion latency with 20 concurrent candidates (the L3 pointer's compare-and-swap, {@code manifest.l3}).
 * Usage: {@code scripts/bench l3 [runs] [N…]} (default 3 runs, 20 and 100 services).
 */
public final class L3Bench {

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    List<Integer> sizes = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      sizes.add(Integer.parseInt(args[i]));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(20, 100);
    }
    Path work = Files.createTempDirectory("stackpipe-bench-l3-");
    KubeRequests requests = new KubeRequests();
    try (ControlPlane plane = ControlPlane.start();
         KubeConnection kube = KubeConnection.fromKubeconfig(plane.kubeconfig(), null, requests)) {
      HelmCli helm = new HelmCli(plane.kubeconfig(), Files.createDirectories(work.resolve("helm-home")));
      Bench bench = new Bench(kube, requests, helm, work);
      // helm-java loads its native library on first use (≈0.5 s), and the JIT compiles the fast path's code on its
      // first runs: neither is part of any figure (the JVM of a pipeline step or the CLI does this once).
      Path warm = umbrella(work.resolve("warm"), 20, false);
      Path warmNext = umbrella(work.resolve("warm-next"), 20, true);
      for (int i = 0; i < 3; i++) {
        String ns = bench.namespace("warm");
        ReleaseInstall.into(kube).withChart(warm).withName("platform").withNamespace(ns).call();
        ReleaseUpgrade.of(kube).withChart(warmNext).withName("platform").withNamespace(ns).call();
        ReleaseUpgrade.of(kube).withChart(warm).withName("platform").withNamespace(ns)
            .withDriftCheck(DriftCheck.CHANGED_ONLY).call();
        bench.delete(ns);
      }
      for (int size : sizes) {
        bench.run(size, runs);
      }
      promotions(kube, work.resolve("promotions"));
    } finally {
      FileTrees.delete(work);
    }
  }

  private record Sample(double seconds, long serverRequests, long clientRequests) {}

  private static final class Bench {
    private final KubeConnection kube;
    private final KubeRequests requests;
    private final HelmCli helm;
    private final Path work;
    private int namespaces;

    Bench(KubeConnection kube, KubeRequests requests, HelmCli helm, Path work) {
      this.kube = kube;
      this.requests = requests;
      this.helm = helm;
      this.work = work;
    }

    void run(int size, int runs) throws Exception {
      Path v1 = umbrella(work.resolve("n" + size + "-v1"), size, false);
      Path v2 = umbrella(work.resolve("n" + size + "-v2"), size, true);
      List<Sample> fastInstall = new ArrayList<>();
      List<Sample> fastUpgrade = new ArrayList<>();
      List<Sample> fastChangedOnly = new ArrayList<>();
      List<Sample> cliInstall = new ArrayList<>();
      List<Sample> cliUpgrade = new ArrayList<>();
      List<Sample> render = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        render.add(measure(() -> new Helm(v1).template().withName("platform").withNamespace("render").call()));
        String ns = namespace("fast-" + size);
        fastInstall.add(measure(() -> fastInstall(v1, ns)));
        fastUpgrade.add(measure(() -> check(ReleaseUpgrade.of(kube).withChart(v2).withName("platform")
            .withNamespace(ns).call(), 6)));
        fastChangedOnly.add(measure(() -> check(ReleaseUpgrade.of(kube).withChart(v1).withName("platform")
            .withNamespace(ns).withDriftCheck(DriftCheck.CHANGED_ONLY).call(), 6)));

        String cli = namespace("cli-" + size);
        cliInstall.add(measure(() -> helm.run("install", "platform", v1.toString(), "-n", cli).orFail()));
        cliUpgrade.add(measure(() -> helm.run("upgrade", "platform", v2.toString(), "-n", cli).orFail()));
        verifyLikeHelm(ns, cli, size);
        delete(ns); // the control plane's service range is a /24: free the ClusterIPs before the next run
        delete(cli);
      }
      System.out.printf(Locale.ROOT, "%d services (%d objects), medians of %d runs, fresh namespace each"
          + " (load average %s on %d cores):%n", size, size * 6, runs,
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0], Runtime.getRuntime().availableProcessors());
      print("render only (helm-java template), part of every fast figure", render);
      print("install: fast release (render + record + parallel creates)", fastInstall);
      print("install: helm install (CLI)", cliInstall);
      ratio("install", cliInstall, fastInstall, size == 100 ? "target ≤ 1 s and ≥ 2×" : null, 1.0, 2.0);
      print("upgrade, one service changed: fast, drift check (default)", fastUpgrade);
      print("upgrade, one service changed: fast, changed-only", fastChangedOnly);
      print("upgrade, one service changed: helm upgrade (CLI)", cliUpgrade);
      ratio("upgrade (drift check)", cliUpgrade, fastUpgrade, size == 100 ? "target ≤ 0.5 s and ≥ 8×" : null, 0.5,
          8.0);
      ratio("upgrade (changed-only)", cliUpgrade, fastChangedOnly, null, 0, 0);
    }

    ReleaseApplied fastInstall(Path chart, String ns) {
      return ReleaseInstall.into(kube).withChart(chart).withName("platform").withNamespace(ns).call();
    }

    private static ReleaseApplied check(ReleaseApplied applied, int updated) {
      if (!applied.path().equals("fast") || applied.changes().updated() != updated) {
        throw new IllegalStateException("the upgrade patched " + applied.changes() + ", not " + updated
            + " objects of the one changed service (its 6 objects carry its chart version)");
      }
      return applied;
    }

    /** Both namespaces hold the same objects; the fast release's history is what Helm's CLI reads. */
    private void verifyLikeHelm(String fast, String cli, int size) {
      long fastObjects = kube.client().configMaps().inNamespace(fast).withLabel("app.kubernetes.io/managed-by", "Helm")
          .list().getItems().size();
      long cliObjects = kube.client().configMaps().inNamespace(cli).withLabel("app.kubernetes.io/managed-by", "Helm")
          .list().getItems().size();
      if (fastObjects != size || cliObjects != size) {
        throw new IllegalStateException(fastObjects + " / " + cliObjects + " ConfigMaps, not " + size);
      }
      String history = helm.run("history", "platform", "-n", fast).orFail();
      if (!history.contains("superseded") || history.lines().count() != 4) {
        throw new IllegalStateException("helm history of the fast release: " + history);
      }
    }

    void delete(String namespace) {
      kube.namespaces().deleteAndWait(namespace, java.time.Duration.ofMinutes(3));
    }

    String namespace(String prefix) {
      String name = "l3-" + prefix + "-" + (namespaces++);
      kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
          .build()).create();
      return name;
    }

    private Sample measure(Supplier<?> operation) {
      long before = serverRequests();
      requests.clear();
      long start = System.nanoTime();
      operation.get();
      double seconds = (System.nanoTime() - start) / 1e9;
      long client = requests.all().size();
      return new Sample(seconds, serverRequests() - before - 1, client);
    }

    /** Every request the API server has served (all clients), from its metrics. */
    private long serverRequests() {
      String metrics = kube.client().raw("/metrics");
      long total = 0;
      for (String line : metrics.split("\n")) {
        if (line.startsWith("apiserver_request_total{")) {
          total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return total;
    }
  }

  /**
   * Promotion latency: 20 candidates (one per service) made from the same L3, promoted from 20 threads at once —
   * compare-and-swap lets one through, the others are stale — then each stale one rebased and promoted again
   * until L3 holds all 20.
   */
  private static void promotions(KubeConnection kube, Path work) throws Exception {
    int services = 20;
    try (LocalRegistry registry = LocalRegistry.start()) {
      Path charts = umbrella(work, services, false).resolve("charts");
      String oci = registry.ociUrl("promotions");
      for (String version : List.of("1.0.0", "2.0.0")) {
        ChartPublish.of(charts).withVersion(version).withImages(service -> null).pushTo(oci)
            .withOutputDirectory(work.resolve("published-" + version)).call();
      }
      List<String> names = new ArrayList<>();
      for (int i = 0; i < services; i++) {
        names.add(String.format(Locale.ROOT, "svc-%03d", i));
      }
      L3 l3 = L3.on(kube, oci).withNamespace("l3-bench").withUser("bench");
      kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("l3-bench")
          .endMetadata().build()).create();
      l3.init().withFrom(names.stream().map(n -> new ServiceVersion(n, "1.0.0")).toList()).call();
      List<Candidate> candidates = allAtOnce(names.stream()
          .map(n -> (Callable<Candidate>) () -> l3.candidate(n, "2.0.0").call()).toList());

      List<double[]> first = allAtOnce(candidates.stream().map(c -> (Callable<double[]>) () -> {
        long start = System.nanoTime();
        try {
          l3.promote(c.id()).call();
          return new double[] {(System.nanoTime() - start) / 1e9, 1};
        } catch (StaleCandidateException e) {
          return new double[] {(System.nanoTime() - start) / 1e9, 0};
        }
      }).toList());
      long winners = first.stream().filter(r -> r[1] == 1).count();
      double[] latencies = first.stream().mapToDouble(r -> r[0]).sorted().toArray();

      long loopStart = System.nanoTime();
      List<double[]> loops = allAtOnce(candidates.stream().filter(c -> first.get(candidates.indexOf(c))[1] == 0)
          .map(c -> (Callable<double[]>) () -> {
            String id = c.id();
            for (int round = 1; ; round++) {
              id = l3.rebase(id).call().id();
              long start = System.nanoTime();
              try {
                l3.promote(id).call();
                return new double[] {round, (System.nanoTime() - start) / 1e9};
              } catch (StaleCandidateException again) {
                // L3 moved on again: rebase on the newer one.
              }
            }
          }).toList());
      double loop = (System.nanoTime() - loopStart) / 1e9;
      L3Version last = l3.current().orElseThrow();
      if (winners != 1 || last.sequence() != services + 1
          || !last.services().values().stream().allMatch("2.0.0"::equals)) {
        throw new IllegalStateException("promotions: " + winners + " winners, L3 #" + last.sequence());
      }
      double[] promoteCalls = loops.stream().mapToDouble(r -> r[1]).sorted().toArray();
      System.out.printf(Locale.ROOT, "promotion, %d candidates from one L3 promoted from %d threads at once:%n",
          services, services);
      System.out.printf(Locale.ROOT, "  %-62s %6.3f s median, %.3f s slowest (1 promoted, %d stale)%n",
          "promote call latency under contention", latencies[latencies.length / 2], latencies[latencies.length - 1],
          services - winners);
      System.out.printf(Locale.ROOT, "  %-62s %6.2f s (%d promotions, up to %d rebases each; promote call"
          + " median %.3f s)%n", "rebase-and-promote loops until L3 holds all 20", loop, services - 1,
          (int) loops.stream().mapToDouble(r -> r[0]).max().orElse(0), promoteCalls[promoteCalls.length / 2]);
    }
  }

  /** Runs every task at the same moment, each on its own thread. */
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

  private static double median(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
    double[] values = samples.stream().mapToDouble(f).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private static void print(String label, List<Sample> samples) {
    double server = median(samples, Sample::serverRequests);
    System.out.printf(Locale.ROOT, "  %-62s %6.3f s   %s%s%n", label, median(samples, Sample::seconds),
        server > 0 ? String.format(Locale.ROOT, "%5.0f API requests", server) : "", samples.get(0).clientRequests() > 0 ? String.format(Locale.ROOT, " (%.0f sent by the fast path)",
            median(samples, Sample::clientRequests)) : "");
  }

  private static void ratio(String what, List<Sample> helm, List<Sample> fast, String target, double maxSeconds,
      double minRatio) {
    double f = median(fast, Sample::seconds);
    double ratio = median(helm, Sample::seconds) / f;
    System.out.printf(Locale.ROOT, "  %-62s %6.1f×%s%n", "ratio helm / fast, " + what, ratio, target == null ? ""
        : "   (" + target + ": " + (f <= maxSeconds && ratio >= minRatio ? "met" : "MISSED") + ")");
  }

  /**
   * An umbrella folder of {@code size} service subcharts, each a Deployment, Service, ConfigMap, Secret, Ingress
   * and ServiceAccount with helm-create-style helpers; {@code changed}: svc-000 at a new version (new image tag and
   * configuration), everything else identical.
   */
  static Path umbrella(Path dir, int size, boolean changed) throws Exception {
    Path chart = Files.createDirectories(dir.resolve("platform"));
    Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: platform\nversion: "
        + (changed ? "1.1.0" : "1.0.0") + "\n");
    Files.writeString(chart.resolve("values.yaml"), "{}\n");
    for (int i = 0; i < size; i++) {
      String name = String.format(Locale.ROOT, "svc-%03d", i);
      String version = changed && i == 0 ? "1.0.1" : "1.0.0";
      Path sub = Files.createDirectories(chart.resolve("charts").resolve(name));
      Files.writeString(sub.resolve("Chart.yaml"), "apiVersion: v2\nname: " + name + "\nversion: " + version
          + "\nappVersion: \"" + version + "\"\n");
      Files.writeString(sub.resolve("values.yaml"), "replicaCount: 1\nport: 8080\nimage:\n  repository: "
          + "registry.invalid/" + name + "\n  tag: \"\"\nconfig:\n  LOG_LEVEL: " + (changed && i == 0 ? "debug"
          : "info") + "\n");
      Path templates = Files.createDirectories(sub.resolve("templates"));
      Files.writeString(templates.resolve("_helpers.tpl"), helpers(name));
      String meta = "metadata:\n  name: {{ include \"" + name + ".fullname\" . }}\n  labels:\n"
          + "    {{- include \"" + name + ".labels\" . | nindent 4 }}\n";
      String selector = "{{- include \"" + name + ".selectorLabels\" . | nindent 6 }}";
      Files.writeString(templates.resolve("objects.yaml"), ""
          + "apiVersion: v1\nkind: ConfigMap\n" + meta + "data:\n{{ toYaml .Values.config | indent 2 }}\n---\n"
          + "apiVersion: v1\nkind: Secret\n" + meta + "stringData:\n  token: bench\n---\n"
          + "apiVersion: v1\nkind: ServiceAccount\n" + meta + "---\n"
          + "apiVersion: v1\nkind: Service\n" + meta + "spec:\n  selector:\n    {{- include \"" + name
          + ".selectorLabels\" . | nindent 4 }}\n  ports:\n    - port: {{ .Values.port }}\n---\n"
          + "apiVersion: apps/v1\nkind: Deployment\n" + meta + "spec:\n  replicas: {{ .Values.replicaCount }}\n"
          + "  selector:\n    matchLabels:\n      " + selector + "\n  template:\n    metadata:\n      labels:\n"
          + "        {{- include \"" + name + ".selectorLabels\" . | nindent 8 }}\n    spec:\n"
          + "      serviceAccountName: {{ include \"" + name + ".fullname\" . }}\n      containers:\n"
          + "        - name: app\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag"
          + " | default .Chart.AppVersion }}\"\n          envFrom:\n            - configMapRef:\n"
          + "                name: {{ include \"" + name + ".fullname\" . }}\n---\n"
          + "apiVersion: networking.k8s.io/v1\nkind: Ingress\n" + meta + "spec:\n  rules:\n    - host: " + name
          + ".example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
          + "            backend:\n              service:\n                name: {{ include \"" + name
          + ".fullname\" . }}\n                port:\n                  number: {{ .Values.port }}\n");
    }
    return chart;
  }

  /** {@code helm create}'s helpers, named after the chart (named templates are global across subcharts). */
  private static String helpers(String name) {
    return "{{- define \"" + name + ".name\" -}}\n{{- default .Chart.Name .Values.nameOverride | trunc 63 |"
        + " trimSuffix \"-\" }}\n{{- end }}\n"
        + "{{- define \"" + name + ".fullname\" -}}\n{{- if .Values.fullnameOverride }}\n{{- .Values.fullnameOverride"
        + " | trunc 63 | trimSuffix \"-\" }}\n{{- else }}\n{{- $name := default .Chart.Name .Values.nameOverride }}\n"
        + "{{- if contains $name .Release.Name }}\n{{- .Release.Name | trunc 63 | trimSuffix \"-\" }}\n{{- else }}\n"
        + "{{- printf \"%s-%s\" .Release.Name $name | trunc 63 | trimSuffix \"-\" }}\n{{- end }}\n{{- end }}\n"
        + "{{- end }}\n"
        + "{{- define \"" + name + ".chart\" -}}\n{{- printf \"%s-%s\" .Chart.Name .Chart.Version | replace \"+\" \"_\""
        + " | trunc 63 | trimSuffix \"-\" }}\n{{- end }}\n"
        + "{{- define \"" + name + ".labels\" -}}\nhelm.sh/chart: {{ include \"" + name + ".chart\" . }}\n"
        + "{{ include \"" + name + ".selectorLabels\" . }}\n{{- if .Chart.AppVersion }}\n"
        + "app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}\n{{- end }}\n"
        + "app.kubernetes.io/managed-by: {{ .Release.Service }}\n{{- end }}\n"
        + "{{- define \"" + name + ".selectorLabels\" -}}\napp.kubernetes.io/name: {{ include \"" + name
        + ".name\" . }}\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end }}\n";
  }
}
