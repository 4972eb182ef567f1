package io.stackpipe.bench;

import io.stackpipe.base.FileTrees;
import io.stackpipe.chart.ChartBuildResult;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.chart.ChartPublishResult;
import io.stackpipe.deploy.ProfileInstall;
import io.stackpipe.umbrella.UmbrellaStack;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaBuild;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Stack creation for generated umbrellas of N services (small charts of 6 objects, 2 profiles each) on a real API
 * server: one umbrella release ({@link UmbrellaStack}: namespace, lock, profile values per subchart, one
 * {@code helm install}) vs the same stack made of one release per service, installed one after the other
 * ({@link ProfileInstall} each). No node: objects created, no wait, as in ../shared/helm-umbrella-baselines.md.
 * Target: 100 services in at most 10 s. Usage: {@code scripts/bench stack-create [N…]} (default 20 100).
 */
public final class StackCreateBench {
  private static final double TARGET_SECONDS_AT_100 = 10.0;

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String arg : args) {
      sizes.add(Integer.parseInt(arg));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(20, 100);
    }
    Path work = Files.createTempDirectory("stackpipe-bench-stacks-");
    try (LocalRegistry registry = LocalRegistry.start(); ControlPlane plane = ControlPlane.start();
         KubeConnection kube = KubeConnection.fromKubeconfig(plane.kubeconfig(), null)) {
      Stacks stacks = Stacks.on(kube, "bench");
      // helm-java loads its native library on first use (≈0.5 s): not part of any figure.
      run(work.resolve("warm"), registry, stacks, kube, 2, "warm");
      for (int size : sizes) {
        run(work.resolve("n" + size), registry, stacks, kube, size, "n" + size);
      }
    } finally {
      FileTrees.delete(work);
    }
  }

  private static void run(Path work, LocalRegistry registry, Stacks stacks, KubeConnection kube, int size,
      String label) throws Exception {
    ChartPublishResult published = ChartPublish.of(generate(work.resolve("services"), size)).withVersion("1.0.0")
        .withImages(service -> null).pushTo(registry.ociUrl(label)).withOutputDirectory(work.resolve("charts"))
        .call();
    List<ServiceVersion> services = published.charts().stream()
        .map(c -> new ServiceVersion(c.name(), c.version())).toList();
    long a = System.nanoTime();
    Umbrella umbrella = UmbrellaBuild.of(services).from(registry.ociUrl(label)).withOutputDirectory(work)
        .call();
    double assemble = (System.nanoTime() - a) / 1e9;

    long u = System.nanoTime();
    UmbrellaStack.create(stacks, label + "-umbrella").withOwner("bench").withUmbrella(umbrella).call();
    double oneRelease = (System.nanoTime() - u) / 1e9;

    long s = System.nanoTime();
    Stack stack = stacks.create(label + "-releases").withOwner("bench").call();
    for (ChartBuildResult chart : published.charts()) {
      ProfileInstall.into(kube).withChart(chart.artifact()).withProfile("ephemeral").withNamespace(stack.namespace())
          .call();
    }
    double separate = (System.nanoTime() - s) / 1e9;

    if (!label.equals("warm")) {
      long objects = kube.client().configMaps().inNamespace(stacks.namespaceOf(label + "-umbrella")).list()
          .getItems().stream().filter(c -> !c.getMetadata().getName().equals("kube-root-ca.crt")).count();
      if (objects != size) {
        throw new IllegalStateException("the umbrella stack holds " + objects + " ConfigMaps, not " + size);
      }
      System.out.printf(Locale.ROOT, "%d services (%d objects): umbrella assembled from the registry in %.2f s%n",
          size, size * 6, assemble);
      System.out.printf(Locale.ROOT, "  stack create, one umbrella release:             %6.2f s%s%n", oneRelease,
          size == 100 ? String.format(Locale.ROOT, "  (target ≤ %.0f s: %s)", TARGET_SECONDS_AT_100,
              oneRelease <= TARGET_SECONDS_AT_100 ? "met" : "MISSED") : "");
      System.out.printf(Locale.ROOT, "  stack create, one release per service in turn:  %6.2f s%n", separate);
      System.out.printf(Locale.ROOT, "  ratio separate / umbrella:                      %6.1f×%n", separate / oneRelease);
    }
    stacks.destroy(label + "-umbrella").waitUntilGone().call();
    stacks.destroy(label + "-releases").waitUntilGone().call();
  }

  /** N small service charts: Deployment, Service, ConfigMap, Secret, ServiceAccount, Ingress; profiles ephemeral, qa1. */
  private static Path generate(Path services, int size) throws Exception {
    for (int i = 0; i < size; i++) {
      String name = String.format(Locale.ROOT, "svc-%03d", i);
      Path chart = Files.createDirectories(services.resolve(name));
      Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: " + name + "\nversion: 0.1.0\n");
      Files.writeString(chart.resolve("values.yaml"), "fullnameOverride: \"\"\nreplicaCount: 1\nport: 8080\n"
          + "config:\n  LOG_LEVEL: info\n");
      for (String profile : List.of("ephemeral", "qa1")) {
        Path dir = Files.createDirectories(chart.resolve("profiles").resolve(profile));
        Files.writeString(dir.resolve("values.yaml"), "config:\n  LOG_LEVEL: " + (profile.equals("qa1") ? "warn"
            : "debug") + "\n");
      }
      Path templates = Files.createDirectories(chart.resolve("templates"));
      String meta = "metadata:\n  name: {{ .Values.fullnameOverride | default .Release.Name }}\n"
          + "  labels:\n    app.kubernetes.io/name: " + name + "\n";
      Files.writeString(templates.resolve("objects.yaml"), ""
          + "apiVersion: v1\nkind: ConfigMap\n" + meta + "data:\n{{ toYaml .Values.config | indent 2 }}\n---\n"
          + "apiVersion: v1\nkind: Secret\n" + meta + "stringData:\n  token: bench\n---\n"
          + "apiVersion: v1\nkind: ServiceAccount\n" + meta + "---\n"
          + "apiVersion: v1\nkind: Service\n" + meta + "spec:\n  selector:\n    app.kubernetes.io/name: " + name
          + "\n  ports:\n    - port: {{ .Values.port }}\n---\n"
          + "apiVersion: apps/v1\nkind: Deployment\n" + meta + "spec:\n  replicas: {{ .Values.replicaCount }}\n"
          + "  selector:\n    matchLabels:\n      app.kubernetes.io/name: " + name + "\n  template:\n    metadata:\n"
          + "      labels:\n        app.kubernetes.io/name: " + name + "\n    spec:\n      containers:\n"
          + "        - name: app\n          image: registry.invalid/" + name + ":1\n---\n"
          + "apiVersion: networking.k8s.io/v1\nkind: Ingress\n" + meta + "spec:\n  rules:\n    - host: " + name
          + ".example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
          + "            backend:\n              service:\n                name: " + name + "\n                port:\n"
          + "                  number: {{ .Values.port }}\n");
    }
    return services;
  }
}
