package io.stackpipe.cli;

import io.stackpipe.chart.ChartPublish;
import io.stackpipe.chart.ChartPublishResult;
import io.stackpipe.deploy.ProfileInstall;
import io.stackpipe.deploy.ProfileRelease;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on embedded defaults: no outside services. Wires the local services ({@code local}: an OCI registry,
 * images, a real Kubernetes control plane, or the cluster of --kubeconfig) to the engine's use cases: publish every
 * example chart with its image pinned ({@link ChartPublish}), then install each with its ephemeral profile into a
 * stack namespace ({@link ProfileInstall}; a second run upgrades the releases).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the pipeline on the example services against a registry and a cluster it starts itself.")
final class DemoCommand implements Callable<Integer> {

  static final String PROFILE = "ephemeral";

  @Option(names = "--examples", paramLabel = "DIR", description = "Folder of service charts (default: examples/services).")
  Path examples = Path.of("examples", "services");

  @Option(names = "--work", paramLabel = "DIR",
      description = "Where the registry keeps its data between runs (default: ~/.cache/stackpipe/demo).")
  Path work = Stackpipe.home().resolve(".cache/stackpipe/demo");

  @Option(names = "--version", paramLabel = "V", description = "Version to publish every chart as (default: 1.0.0).")
  String version = "1.0.0";

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Install into this cluster instead of starting a local control plane.")
  Path kubeconfig;

  @Option(names = "--namespace", paramLabel = "NS", description = "The demo stack's namespace (default: stackpipe-demo).")
  String namespace = "stackpipe-demo";

  @Option(names = "--keep-running", description = "Keep the registry and control plane up until Enter is pressed.")
  boolean keepRunning;

  @Option(names = "--json", description = "Print the results as JSON.")
  boolean json;

  @Option(names = "--verbose", description = "Print details of a failure.")
  boolean verbose;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LocalRegistry registry = LocalRegistry.startWithStorage(work.resolve("registry"))) {
      progress(err, "registry: " + registry.url() + " (data in " + work.resolve("registry") + ")");
      ChartPublishResult published = ChartPublish.of(Stackpipe.workingDirectory().resolve(examples))
          .withVersion(version)
          .withAppVersion(version)
          .withImages(service -> pushImage(registry, service, err))
          .pushTo(registry.ociUrl("charts"))
          .withOutputDirectory(work.resolve("charts"))
          .withProgress(line -> progress(err, "  " + line))
          .call();
      try (ControlPlane plane = kubeconfig == null ? startControlPlane(registry, err) : null;
           KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig != null ? kubeconfig : plane.kubeconfig(), null)) {
        trustRegistry(registry);
        kube.namespaces().ensure(namespace, Map.of("stackpipe.io/stack", namespace), Map.of());
        List<ProfileRelease> releases = published.charts().stream()
            .map(chart -> ProfileInstall.into(kube).withChart(chart.artifact()).withProfile(PROFILE)
                .withNamespace(namespace).withProgress(line -> progress(err, line)).call())
            .toList();
        Map<String, String> responses = ServiceCalls.call(kube, namespace);
        print(out, published, releases, responses);
        if (keepRunning) {
          // Not Ctrl-C: once Helm has run in this JVM, its Go runtime swallows SIGINT and SIGTERM.
          progress(err, "registry " + registry.url() + " and cluster " + kube.server() + " (kubeconfig "
              + kube.kubeconfig() + ") stay up; press Enter to stop");
          awaitEnter();
        }
      }
    }
    return 0;
  }

  private static void awaitEnter() throws IOException {
    int read;
    do {
      read = System.in.read();
    } while (read != -1 && read != '\n');
  }

  /** Built from the service's source (app/), as its Dockerfile says: a static Go binary FROM scratch. */
  private String pushImage(LocalRegistry registry, String service, PrintWriter err) {
    String image = registry.host() + "/services/" + service + ":" + version;
    String digest = GoImages.push(Stackpipe.workingDirectory().resolve(examples).resolve(service).resolve("app"),
        service, image);
    progress(err, service + ": image " + image + " (" + digest + ")");
    return image;
  }

  private static ControlPlane startControlPlane(LocalRegistry registry, PrintWriter err) {
    progress(err, "kubernetes: starting a local control plane and node (etcd, kube-apiserver, kube-controller-manager,"
        + " kube-scheduler, containerd, kubelet, kube-proxy)");
    return ControlPlane.builder().withNode(registry.host()).start();
  }

  /** The local cluster of `stackpipe cluster start` pulls from this run's registry too. */
  private void trustRegistry(LocalRegistry registry) {
    if (kubeconfig != null && ControlPlane.status(kubeconfig.toAbsolutePath().getParent()).hasNode()) {
      ControlPlane.trustRegistry(kubeconfig.toAbsolutePath().getParent(), registry.host());
    }
  }

  private static void progress(PrintWriter err, String line) {
    err.println(line);
    err.flush();
  }

  private void print(PrintWriter out, ChartPublishResult published, List<ProfileRelease> releases,
      Map<String, String> responses) {
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>(published.toMap());
      result.put("namespace", namespace);
      result.put("releases", releases.stream().map(ProfileRelease::toMap).toList());
      result.put("responses", responses);
      out.println(Output.toJson(result));
    } else {
      published.charts().forEach(c -> out.println(Output.summary(c)));
      out.println("releases in " + namespace + " (profile " + PROFILE + "):");
      releases.forEach(r -> out.printf("  %-10s %-16s revision %d  %s%s%n", r.name(), r.chart(), r.revision(),
          r.status(), r.secretsSkipped() ? "  (profile secrets not applied yet)" : ""));
      out.println("the services answer from their pods:");
      responses.forEach((call, body) -> out.println("  " + call + "\n    " + body));
    }
    out.flush();
  }
}
