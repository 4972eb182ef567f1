package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.chart.ChartBuildResult;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.local.registry.GoImages;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on embedded defaults: no outside services. Starts a local OCI registry, pushes each example
 * service's image, builds and publishes every example chart with its image pinned, then installs each chart
 * with its ephemeral profile into a stack (namespace) on a real Kubernetes control plane it starts itself
 * (or on the cluster of --kubeconfig).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the pipeline on the example services against a registry and a cluster it starts itself.")
final class DemoCommand implements Callable<Integer> {

  static final String PROFILE = "ephemeral";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

  @Option(names = "--examples", paramLabel = "DIR", description = "Folder of service charts (default: examples/services).")
  Path examples = Path.of("examples", "services");

  @Option(names = "--work", paramLabel = "DIR",
      description = "Where the registry keeps its data between runs (default: ~/.cache/stackpipe/demo).")
  Path work = Path.of(System.getProperty("user.home"), ".cache", "stackpipe", "demo");

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
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> services = services();
    try (LocalRegistry registry = LocalRegistry.startWithStorage(work.resolve("registry"))) {
      err.println("registry: " + registry.url() + " (data in " + work.resolve("registry") + ")");
      err.flush();
      List<ChartBuildResult> charts = publish(services, registry, err);
      try (ControlPlane plane = kubeconfig == null ? startControlPlane(registry, err) : null;
           KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig != null ? kubeconfig : plane.kubeconfig(), null)) {
        trustRegistry(registry);
        List<Release> releases = install(charts, kube, err);
        Map<String, String> responses = ServiceCalls.call(kube, namespace);
        print(out, charts, releases, responses);
        if (keepRunning) {
          // Not Ctrl-C: once Helm has run in this JVM, its Go runtime swallows SIGINT and SIGTERM.
          err.println("registry " + registry.url() + " and cluster " + kube.server() + " (kubeconfig "
              + kube.kubeconfig() + ") stay up; press Enter to stop");
          err.flush();
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

  private List<ChartBuildResult> publish(List<Path> services, LocalRegistry registry, PrintWriter err) {
    List<ChartBuildResult> results = new ArrayList<>();
    for (Path service : services) {
      String name = service.getFileName().toString();
      String image = registry.host() + "/services/" + name + ":" + version;
      // Built from the service's source (app/), as its Dockerfile says: a static Go binary FROM scratch.
      String digest = GoImages.push(service.resolve("app"), name, image);
      err.println(name + ": image " + image + " (" + digest + ")");
      results.add(ChartBuild.of(service)
          .withVersion(version)
          .withAppVersion(version)
          .withImage(image)
          .pushTo(registry.ociUrl("charts"))
          .withOutputDirectory(work.resolve("charts"))
          .withProgress(line -> err.println("  " + line))
          .call());
      err.flush();
    }
    return results;
  }

  private static ControlPlane startControlPlane(LocalRegistry registry, PrintWriter err) {
    err.println("kubernetes: starting a local control plane and node (etcd, kube-apiserver, kube-controller-manager,"
        + " kube-scheduler, containerd, kubelet, kube-proxy)");
    err.flush();
    return ControlPlane.builder().withNode(registry.host()).start();
  }

  /** The local cluster of `stackpipe cluster start` pulls from this run's registry too. */
  private void trustRegistry(LocalRegistry registry) {
    if (kubeconfig != null && ControlPlane.status(kubeconfig.toAbsolutePath().getParent()).hasNode()) {
      ControlPlane.trustRegistry(kubeconfig.toAbsolutePath().getParent(), registry.host());
    }
  }

  /** Each chart with its ephemeral profile, as a stack would get it: chart defaults ← profile values. */
  private List<Release> install(List<ChartBuildResult> charts, KubeConnection kube, PrintWriter err) throws IOException {
    if (kube.client().namespaces().withName(namespace).get() == null) {
      kube.namespaces().create(namespace, Map.of("stackpipe.io/stack", namespace), Map.of());
    }
    List<Release> releases = new ArrayList<>();
    Path profileValues = Files.createTempFile("stackpipe-demo-profile-", ".yaml");
    try {
      for (ChartBuildResult chart : charts) {
        String entry = chart.name() + "/profiles/" + PROFILE + "/values.yaml";
        Files.write(profileValues, ChartArchive.entry(chart.artifact(), entry)
            .orElseThrow(() -> new StackpipeException(chart.artifact() + ": has no " + entry)));
        boolean installed = kube.releases().list(namespace).stream().anyMatch(r -> r.name().equals(chart.name()));
        if (installed) {
          kube.releases().uninstall(chart.name(), namespace);
        }
        Release release = kube.releases().waitingUpTo(READY_TIMEOUT)
            .install(chart.name(), namespace, chart.artifact(), List.of(profileValues));
        err.println(chart.name() + ": installed " + release.chart() + " with profile " + PROFILE + " into "
            + namespace + " (revision " + release.revision() + ", " + release.status() + ", pods Ready)");
        err.flush();
        releases.add(release);
      }
    } finally {
      Files.deleteIfExists(profileValues);
    }
    return kube.releases().list(namespace);
  }

  private void print(PrintWriter out, List<ChartBuildResult> charts, List<Release> releases,
      Map<String, String> responses) {
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("charts", charts.stream().map(Output::fields).toList());
      result.put("namespace", namespace);
      result.put("releases", releases);
      result.put("responses", responses);
      out.println(Output.toJson(result));
    } else {
      charts.forEach(c -> out.println(Output.summary(c)));
      out.println("releases in " + namespace + " (profile " + PROFILE + "):");
      releases.forEach(r -> out.printf("  %-10s %-16s revision %d  %s%n", r.name(), r.chart(), r.revision(), r.status()));
      out.println("the services answer from their pods:");
      responses.forEach((call, body) -> out.println("  " + call + "\n    " + body));
    }
    out.flush();
  }

  private List<Path> services() throws IOException {
    if (!Files.isDirectory(examples)) {
      throw new StackpipeException(examples + ": no such folder of example services (run from the repository root or pass --examples)");
    }
    try (Stream<Path> dirs = Files.list(examples)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("Chart.yaml"))).sorted().toList();
    }
  }
}
