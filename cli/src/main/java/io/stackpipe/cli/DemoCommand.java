package io.stackpipe.cli;

import io.stackpipe.chart.ChartBuildResult;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.chart.ChartPublishResult;
import io.stackpipe.deploy.DeployedServices;
import io.stackpipe.deploy.ProfileInstall;
import io.stackpipe.deploy.ProfileRelease;
import io.stackpipe.deploy.UmbrellaStack;
import io.stackpipe.deploy.UmbrellaStackResult;
import io.stackpipe.manifest.ServiceVersion;
import io.stackpipe.manifest.Umbrella;
import io.stackpipe.manifest.UmbrellaBuild;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.ReapReport;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.status.Status;
import io.stackpipe.status.StatusServer;
import io.stackpipe.status.StatusText;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.secrets.SecretsEnvironment;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * images, a real Kubernetes control plane with its node, or the cluster of --kubeconfig) to the engine's use cases:
 * publish every example chart with its image pinned ({@link ChartPublish}); create an ephemeral stack of all of
 * them as one umbrella release ({@link UmbrellaStack}; a re-run makes it afresh); deploy one service's qa1 profile
 * to a persistent stack ({@link ProfileInstall}; a re-run upgrades it); call the services; and ask the reaper,
 * in a dry run seven days ahead, what it would reap.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the pipeline on the example services against a registry and a cluster it starts itself.")
final class DemoCommand implements Callable<Integer> {

  static final String PROFILE = "ephemeral";
  static final String QA_PROFILE = "qa1";
  static final String QA_SERVICE = "orders";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration REAP_LOOKAHEAD = Duration.ofDays(7);

  @Option(names = "--examples", paramLabel = "DIR", description = "Folder of service charts (default: examples/services).")
  Path examples = Path.of("examples", "services");

  @Option(names = "--age-key-file", paramLabel = "FILE",
      description = "age identity that decrypts the examples' profile secrets (default: the public demo key,"
          + " examples/keys/demo-age-key.txt).")
  Path ageKeyFile = Path.of("examples", "keys", "demo-age-key.txt");

  @Option(names = "--work", paramLabel = "DIR",
      description = "Where the registry keeps its data between runs (default: ~/.cache/stackpipe/demo).")
  Path work = Stackpipe.home().resolve(".cache/stackpipe/demo");

  @Option(names = "--version", paramLabel = "V", description = "Version to publish every chart as (default: 1.0.0).")
  String version = "1.0.0";

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Install into this cluster instead of starting a local control plane.")
  Path kubeconfig;

  @Option(names = "--stack", paramLabel = "NAME",
      description = "The ephemeral stack's name; the persistent one is NAME-qa1 (default: stackpipe-demo).")
  String stack = "stackpipe-demo";

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
           KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig != null ? kubeconfig : plane.kubeconfig(), null);
           SecretKeys keys = keys()) {
        trustRegistry(registry);
        Stacks stacks = Stacks.on(kube, "default");
        // Each run makes its ephemeral stack afresh, from this run's charts.
        stacks.destroy(stack);
        UmbrellaStackResult ephemeral = UmbrellaStack.create(stacks, stack).withOwner("demo")
            .withPurpose("stackpipe demo").withUmbrella(umbrella(registry, published, err)).withProfile(PROFILE).withSecretKeys(keys)
            .waitingUpTo(READY_TIMEOUT).withProgress(line -> progress(err, line)).call();
        Map<String, String> responses = ServiceCalls.call(kube, ephemeral.stack().namespace());
        ProfileRelease qa = deployToPersistentStack(stacks, kube, published, keys, err);
        ReapReport reap = stacks.withClock(Clock.offset(Clock.systemUTC(), REAP_LOOKAHEAD)).reaper().dryRun(true)
            .call();
        print(out, published, ephemeral, responses, qa, reap);
        if (keepRunning) {
          Status status = Status.of(stacks);
          PrintWriter shown = json ? err : out;
          shown.print(StatusText.render(status.call()));
          try (StatusServer.Running page = StatusServer.of(status::call).withPort(0).start()) {
            shown.println("status page: " + page.address() + " (JSON: " + page.address().resolve("/status.json") + ")");
            shown.flush();
            // Not Ctrl-C: once Helm has run in this JVM, its Go runtime swallows SIGINT and SIGTERM.
            progress(err, "registry " + registry.url() + " and cluster " + kube.server() + " (kubeconfig "
                + kube.kubeconfig() + ") stay up; press Enter to stop");
            awaitEnter();
          }
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

  /** The demo decrypts the examples' profile secrets with its age key, as a pipeline would with its own. */
  private SecretKeys keys() {
    Map<String, String> env = new HashMap<>(Stackpipe.environment());
    env.put("SOPS_AGE_KEY_FILE", Stackpipe.workingDirectory().resolve(ageKeyFile).toString());
    return SecretKeys.fromEnvironment(SecretsEnvironment.of(env, Stackpipe.home()));
  }

  /** The umbrella of every published chart, assembled from the registry and pushed next to them. */
  private Umbrella umbrella(LocalRegistry registry, ChartPublishResult published, PrintWriter err) {
    List<ServiceVersion> services = published.charts().stream()
        .map(chart -> new ServiceVersion(chart.name(), chart.version())).toList();
    return UmbrellaBuild.of(services).from(registry.ociUrl("charts")).push()
        .withOutputDirectory(work.resolve("manifests")).withProgress(line -> progress(err, line)).call();
  }

  /** A persistent stack takes one service at a time, with its own profile; a re-run upgrades the release. */
  private ProfileRelease deployToPersistentStack(Stacks stacks, KubeConnection kube, ChartPublishResult published,
      SecretKeys keys, PrintWriter err) {
    String qa = stack + "-" + QA_PROFILE;
    if (stacks.list(null).stacks().stream().noneMatch(s -> s.name().equals(qa))) {
      stacks.create(qa).withOwner("demo").withType(StackType.PERSISTENT).withPurpose("stackpipe demo: qa1").call();
    }
    ChartBuildResult chart = published.charts().stream().filter(c -> c.name().equals(QA_SERVICE)).findFirst()
        .orElseThrow();
    ProfileRelease release = ProfileInstall.into(kube).withChart(chart.artifact()).withProfile(QA_PROFILE).withSecretKeys(keys)
        .withNamespace(stacks.namespaceOf(qa)).waitingUpTo(READY_TIMEOUT).withProgress(line -> progress(err, line))
        .call();
    stacks.recordActivity(qa, Stack.Activity.DEPLOY);
    DeployedServices.of(stacks, qa).put(List.of(new DeployedServices.Service(release.name(), release.name(),
        chart.version(), chart.chartDigest(), release.profile(), release.revision(), release.status(), false,
        Instant.now().toString(), "demo")));
    return release;
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

  private void print(PrintWriter out, ChartPublishResult published, UmbrellaStackResult ephemeral,
      Map<String, String> responses, ProfileRelease qa, ReapReport reap) {
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>(published.toMap());
      result.put("ephemeral", ephemeral.toMap());
      result.put("responses", responses);
      result.put("persistent", qa.toMap());
      result.put("reapIn7Days", reap.toMap());
      out.println(Output.toJson(result));
    } else {
      published.charts().forEach(c -> out.println(Output.summary(c)));
      out.println(StackCommand.Create.summary(ephemeral));
      out.println("the services answer from their pods:");
      responses.forEach((call, body) -> out.println("  " + call + "\n    " + body));
      out.printf("persistent stack %s-%s: %s %s with profile %s, revision %d %s%s%n", stack, QA_PROFILE, qa.name(),
          qa.chart(), qa.profile(), qa.revision(), qa.status(), qa.secretsSkipped()
              ? "  (profile secrets not applied yet)" : "");
      out.println("the reaper in " + Durations.format(REAP_LOOKAHEAD) + " (dry run):");
      out.println(StackCommand.Reap.text(reap).indent(2).stripTrailing());
    }
    out.flush();
  }

}
