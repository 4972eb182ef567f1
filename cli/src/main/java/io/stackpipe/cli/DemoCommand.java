package io.stackpipe.cli;

import io.stackpipe.Result;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.chart.ChartBuildResult;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.chart.ChartPublishResult;
import io.stackpipe.deploy.DeployResult;
import io.stackpipe.umbrella.UmbrellaStack;
import io.stackpipe.umbrella.UmbrellaStackResult;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaBuild;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.gate.GateResult;
import io.stackpipe.gate.L3Gate;
import io.stackpipe.gate.SystemTest;
import io.stackpipe.installation.Installation;
import io.stackpipe.Secret;
import io.stackpipe.installation.Session;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.ReapReport;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.status.Status;
import io.stackpipe.status.StatusServer;
import io.stackpipe.status.StatusText;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on embedded defaults: no outside services. Starts the local services ({@code local}: an OCI registry,
 * images, a real Kubernetes control plane with its node, or uses the cluster of --kubeconfig) and opens an
 * {@link Installation} on them, like any front end: publish every example chart with its image pinned
 * ({@link ChartPublish}); create an ephemeral stack of all of them as one umbrella release ({@link UmbrellaStack};
 * a re-run makes it afresh); deploy one service's qa1 profile to a persistent stack (the session's deploy; a re-run
 * upgrades it); call the services; ask the reaper, in a
 * dry run seven days ahead, what it would reap; and run the L3 gate ({@link L3Gate}, on an L3 made afresh from the
 * published charts) on a change whose system tests pass and on one that breaks a service.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the pipeline on the example services against a registry and a cluster it starts itself.")
final class DemoCommand implements Callable<Integer> {

  static final String PROFILE = "ephemeral";
  static final String QA_PROFILE = "qa1";
  static final String QA_SERVICE = "orders";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration REAP_LOOKAHEAD = Duration.ofDays(7);
  /** The demo's two changes: one whose system tests pass, one that breaks its service. */
  static final String GOOD_CHANGE = "orders";
  static final String BROKEN_CHANGE = "billing";
  static final List<String> SYSTEM_TESTS = List.of("sh", "examples/system-tests.sh");

  @Option(names = "--examples", paramLabel = "DIR", description = "Folder of service charts (default: examples/services).")
  Path examples = Path.of("examples", "services");

  @Option(names = "--broken-examples", paramLabel = "DIR",
      description = "Folder of the broken change's service source (default: examples/broken).")
  Path brokenExamples = Path.of("examples", "broken");

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
           Session session = installation(registry, kubeconfig != null ? kubeconfig : plane.kubeconfig())
               .open(SessionEnvironment.of(Stackpipe.environment(), Stackpipe.home()).withUser("demo", Set.of())
                   .withProgress(line -> progress(err, line)))) {
        trustRegistry(registry);
        // Each run makes its ephemeral stack afresh, from this run's charts.
        session.stacks().destroy(stack).waitUntilGone().call();
        UmbrellaStackResult ephemeral = session.umbrellaStack(stack).withOwner("demo")
            .withPurpose("stackpipe demo").withUmbrella(umbrella(registry, published, err)).withProfile(PROFILE)
            .call();
        Map<String, String> responses = ServiceCalls.call(ephemeral.addresses());
        DeployResult qa = deployToPersistentStack(session, published);
        ReapReport reap = session.stacks().withClock(Clock.offset(Clock.systemUTC(), REAP_LOOKAHEAD)).reaper()
            .dryRun(true).call();
        Gates gates = gates(registry, session, published, err);
        print(out, published, ephemeral, responses, qa, reap, gates);
        if (keepRunning) {
          Status status = session.status();
          PrintWriter shown = json ? err : out;
          shown.print(StatusText.render(status.call()));
          try (StatusServer.Running page = StatusServer.of(status::call).withPort(0).start()) {
            shown.println("status page: " + page.address() + " (JSON: " + page.address().resolve("/status.json") + ")");
            shown.flush();
            // Not Ctrl-C: once Helm has run in this JVM, its Go runtime swallows SIGINT and SIGTERM.
            progress(err, "registry " + registry.url() + " and cluster (kubeconfig " + session.kubeconfig()
                + ") stay up; press Enter to stop");
            awaitEnter();
          }
        }
      }
    }
    return 0;
  }

  /** L3 when the gates start, each gate's result in order, and L3 at the end. */
  private record Gates(L3Version before, List<GateResult> results, L3Version after) {
    Map<String, Object> toMap() {
      return Result.fields("before", before.toMap(), "gates", results.stream().map(GateResult::toMap).toList(),
          "after", after.toMap());
    }
  }

  /**
   * The L3 gate twice, on an L3 made afresh from this run's charts: a change whose system tests pass (orders at the
   * next version: promoted), then a change that breaks billing (built from examples/broken: its stack comes up,
   * its system tests fail, the candidate is rejected and L3 stays as it was).
   */
  private Gates gates(LocalRegistry registry, Session session, ChartPublishResult published, PrintWriter err) {
    String change = nextMinor(version);
    Path root = Stackpipe.workingDirectory();
    ChartBuild.of(root.resolve(examples).resolve(GOOD_CHANGE)).withVersion(change).withAppVersion(change)
        .withImage(pushImage(registry, GOOD_CHANGE, root.resolve(examples).resolve(GOOD_CHANGE).resolve("app"), change,
            err))
        .pushTo(registry.ociUrl("charts")).withOutputDirectory(work.resolve("charts")).call();
    ChartBuild.of(root.resolve(examples).resolve(BROKEN_CHANGE)).withVersion(change).withAppVersion(change)
        .withImage(pushImage(registry, BROKEN_CHANGE, root.resolve(brokenExamples).resolve(BROKEN_CHANGE).resolve("app"),
            change, err))
        .pushTo(registry.ociUrl("charts")).withOutputDirectory(work.resolve("charts")).call();
    // Each run gates against an L3 of its own: its control namespace (the installation's) is made afresh.
    L3 l3 = session.l3();
    l3.deleteNamespace(Duration.ofMinutes(2));
    L3Version before = l3.init().withFrom(published.charts().stream()
        .map(chart -> new ServiceVersion(chart.name(), chart.version())).toList()).call();
    L3Gate gate = session.gate();
    List<GateResult> results = new ArrayList<>();
    for (String service : List.of(GOOD_CHANGE, BROKEN_CHANGE)) {
      progress(err, "gate: " + service + " " + change + " with " + String.join(" ", SYSTEM_TESTS));
      results.add(gate.run(service, change, SystemTest.of(SYSTEM_TESTS).in(root)
          .withEnvironment(Stackpipe.environment())));
    }
    return new Gates(before, results, l3.current().orElseThrow());
  }

  /** 1.0.0 → 1.1.0: the version the demo's changes are published as. */
  static String nextMinor(String version) {
    String[] parts = version.split("\\.");
    if (parts.length != 3 || !version.matches("\\d+\\.\\d+\\.\\d+")) {
      throw StackpipeException.ofField("version", "'" + version + "' must be MAJOR.MINOR.PATCH: the demo's changes"
          + " are published as the next minor version");
    }
    return parts[0] + "." + (Integer.parseInt(parts[1]) + 1) + ".0";
  }

  private static void awaitEnter() throws IOException {
    int read;
    do {
      read = System.in.read();
    } while (read != -1 && read != '\n');
  }

  /**
   * The demo's installation: the cluster and registry it started, the control namespace of its own L3 (made afresh
   * each run), and the age key that decrypts the examples' profile secrets, as a pipeline's installation has its own.
   */
  private Installation installation(LocalRegistry registry, Path cluster) throws IOException {
    String ageKey = Files.readString(Stackpipe.workingDirectory().resolve(ageKeyFile), StandardCharsets.UTF_8);
    return Installation.builder().withCharts(registry.ociUrl("charts")).withKubeconfigFile(cluster.toString())
        .withControlNamespace(stack + "-l3").withAgeKey(Secret.of(ageKey)).withTimeout(READY_TIMEOUT).build();
  }

  /** The umbrella of every published chart, assembled from the registry and pushed next to them. */
  private Umbrella umbrella(LocalRegistry registry, ChartPublishResult published, PrintWriter err) {
    List<ServiceVersion> services = published.charts().stream()
        .map(chart -> new ServiceVersion(chart.name(), chart.version())).toList();
    return UmbrellaBuild.of(services).from(registry.ociUrl("charts")).push()
        .withOutputDirectory(work.resolve("manifests")).withProgress(line -> progress(err, line)).call();
  }

  /** A persistent stack takes one service at a time, with its own profile; a re-run upgrades the release. */
  private DeployResult deployToPersistentStack(Session session, ChartPublishResult published) {
    Stacks stacks = session.stacks();
    String qa = stack + "-" + QA_PROFILE;
    if (stacks.list(null).stacks().stream().noneMatch(s -> s.name().equals(qa))) {
      stacks.create(qa).withOwner("demo").withType(StackType.PERSISTENT).withPurpose("stackpipe demo: qa1").call();
    }
    ChartBuildResult chart = published.charts().stream().filter(c -> c.name().equals(QA_SERVICE)).findFirst()
        .orElseThrow();
    return session.deploy(qa).withChart(session.chart(chart.artifact().toString(), null, false,
        Stackpipe.workingDirectory())).withProfile(QA_PROFILE).call();
  }

  /** Built from the service's source (app/), as its Dockerfile says: a static Go binary FROM scratch. */
  private String pushImage(LocalRegistry registry, String service, PrintWriter err) {
    return pushImage(registry, service, Stackpipe.workingDirectory().resolve(examples).resolve(service).resolve("app"),
        version, err);
  }

  private static String pushImage(LocalRegistry registry, String service, Path source, String tag, PrintWriter err) {
    String image = registry.host() + "/services/" + service + ":" + tag;
    String digest = GoImages.push(source, service, image);
    progress(err, service + ": image " + image + " from " + source + " (" + digest + ")");
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
      Map<String, String> responses, DeployResult qa, ReapReport reap, Gates gates) {
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>(published.toMap());
      result.put("ephemeral", ephemeral.toMap());
      result.put("responses", responses);
      result.put("persistent", qa.toMap());
      result.put("reapIn7Days", reap.toMap());
      result.put("l3", gates.toMap());
      out.println(Output.toJson(result));
    } else {
      published.charts().forEach(c -> out.println(Output.summary(c)));
      out.println(StackCreateCommand.summary(ephemeral));
      out.println("the services answer from their pods:");
      responses.forEach((call, body) -> out.println("  " + call + "\n    " + body));
      out.printf("persistent stack %s-%s: %s %s with profile %s, revision %d %s%n", stack, QA_PROFILE, qa.release(),
          qa.chart(), qa.profile(), qa.revision(), qa.status());
      out.println("the reaper in " + Durations.format(REAP_LOOKAHEAD) + " (dry run):");
      out.println(StackReapCommand.text(reap).indent(2).stripTrailing());
      out.println("L3 before the gates: " + L3GateCommand.manifest(gates.before().version(), gates.before().services()));
      for (GateResult gate : gates.results()) {
        out.println("gate " + gate.service() + " " + gate.version() + " (" + String.join(" ", SYSTEM_TESTS) + "):");
        out.println(L3GateCommand.text(gate).indent(2).stripTrailing());
      }
      out.println("L3 after the gates:  " + L3GateCommand.manifest(gates.after().version(), gates.after().services()));
    }
    out.flush();
  }

}
