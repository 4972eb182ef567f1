package io.stackpipe.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.deploy.ChartSource;
import io.stackpipe.deploy.Deploy;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.SopsEncrypt;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.testsupport.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small installation on the real control plane, made through the engine: a production stack one service behind
 * L3, a persistent qa stack and an ephemeral PR stack with orders deployed by real Helm from the registry (its qa1
 * profile carries a canary secret), and L3 with its candidates and history through the engine's {@link L3}.
 *
 * <pre>
 *   L3          billing 2.0.0  gateway 1.1.0  orders 1.1.0
 *   prod        billing 2.0.0  gateway 1.0.0 (behind)  orders 1.1.0
 *   qa          orders 1.0.0 (behind, real deploy)   billing, gateway missing
 *   pr-7        orders 1.2.0 (ahead, real deploy)   search 0.1.0 (extra)   billing, gateway missing
 * </pre>
 */
final class StatusFixture implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
  static final String CANARY = "CANARY-51a7u5-status-never-shows-me";

  private static final Set<String> PUBLISHED = new java.util.HashSet<>();

  final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(3));
  final Instant now = t0.plus(Duration.ofDays(3));
  final KubeRequests requests = new KubeRequests();
  final KubeConnection kube;
  final String installation;
  final String prefix;
  private final KubernetesClient admin;
  private L3 l3;

  StatusFixture(Path kubeconfig, String testNamespace, KubernetesClient admin) {
    this.admin = admin;
    this.installation = testNamespace;
    this.prefix = "s" + testNamespace.substring(testNamespace.lastIndexOf('-') + 1) + "-";
    this.kube = KubeConnection.fromKubeconfig(kubeconfig, null, requests);
  }

  Stacks stacksAt(Instant at) {
    return Stacks.on(kube, installation).withNamespacePrefix(prefix).withClock(Clock.fixed(at, ZoneOffset.UTC));
  }

  /** billing 2.0.0, gateway 1.1.0, and orders 1.0.0, 1.1.0 and 1.2.0 with a qa1 profile whose secrets.yaml holds {@link #CANARY}, pushed to the registry. */
  static synchronized String publishCharts(LocalRegistry registry, Path work) {
    // Once per registry (one per test JVM): versions are immutable, and each encryption differs. A repository of
    // its own: other tests of this JVM publish the example charts at the same versions with other content.
    String charts = registry.ociUrl("status-charts");
    if (PUBLISHED.contains(charts)) {
      return charts;
    }
    Path orders = TestFiles.copyTree(ROOT.resolve("examples/services/orders"), work.resolve("src/orders"));
    Path secrets = orders.resolve("profiles/qa1/secrets.yaml");
    try {
      Files.writeString(secrets, "secrets:\n  databasePassword: " + CANARY + "\n  apiToken: " + CANARY + "-token\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    new SopsEncrypt(keys()).callInPlace(secrets);
    for (String version : List.of("1.0.0", "1.1.0", "1.2.0")) {
      ChartBuild.of(orders).withVersion(version).pushTo(charts).withOutputDirectory(work.resolve("out")).call();
    }
    for (String[] other : new String[][] {{"billing", "2.0.0"}, {"gateway", "1.1.0"}}) {
      Path source = TestFiles.copyTree(ROOT.resolve("examples/services/" + other[0]), work.resolve("src/" + other[0]));
      ChartBuild.of(source).withVersion(other[1]).pushTo(charts).withOutputDirectory(work.resolve("out")).call();
    }
    PUBLISHED.add(charts);
    return charts;
  }

  static SecretKeys keys() {
    return SecretKeys.fromEnvironment(SecretsEnvironment.of(
        Map.of("SOPS_AGE_KEY_FILE", ROOT.resolve("examples/keys/demo-age-key.txt").toString()), null));
  }

  /** The three stacks of the class comment, their services deployed or recorded through the engine. */
  void createStacks(String charts) {
    Stacks day0 = stacksAt(t0);
    day0.create("prod").withType(StackType.PRODUCTION).withOwner("ops").withPurpose("production").call();
    DeployedServices.of(day0, "prod").put(List.of(
        service("billing", "2.0.0", "production", t0, "ops"),
        service("gateway", "1.0.0", "production", t0, "ops"),
        service("orders", "1.1.0", "production", t0, "ops")));
    day0.recordActivity("prod", Stack.Activity.DEPLOY);

    Stacks day1 = stacksAt(t0.plus(Duration.ofDays(1)));
    day1.create("qa").withType(StackType.PERSISTENT).withOwner("alice").withPurpose("team qa").call();
    deploy(day1, "qa", charts + "/orders:1.0.0", "alice");

    Stacks day2 = stacksAt(t0.plus(Duration.ofDays(2)).plus(Duration.ofHours(20)));
    day2.create("pr-7").withOwner("bob").withPurpose("review of PR 7").call();
    deploy(day2, "pr-7", charts + "/orders:1.2.0", "bob");
    DeployedServices.of(day2, "pr-7").put(List.of(service("search", "0.1.0", "ephemeral", day2.clock().instant(), "bob")));
  }

  private static void deploy(Stacks stacks, String stack, String chart, String user) {
    Deploy.onto(stacks, stack).withChart(ChartSource.oci(chart)).withProfile("qa1").withSecretKeys(keys())
        .withDeployer(user, Set.of()).withoutWait().call();
  }

  private static DeployedServices.Service service(String name, String version, String profile, Instant at, String by) {
    return new DeployedServices.Service(name, name, version, "sha256:" + "ab".repeat(32), profile, 1, "deployed",
        false, at.toString(), by);
  }

  /**
   * L3 as the class comment says, through the engine's L3 (control namespace: the test's own): init with orders
   * 1.0.0, candidate orders 1.1.0 promoted by carol a day ago, candidate orders 1.2.0 by bob tested on pr-7
   * (pending), and a downgrade candidate rejected.
   */
  void createL3(String charts, String controlNamespace) {
    Instant promoted = now.minus(Duration.ofDays(1));
    l3 = L3.on(kube, charts).withNamespace(controlNamespace).withUser("carol")
        .withClock(Clock.fixed(promoted.minus(Duration.ofHours(1)), ZoneOffset.UTC));
    l3.init().withFrom(List.of(new ServiceVersion("billing", "2.0.0"), new ServiceVersion("gateway", "1.1.0"),
        new ServiceVersion("orders", "1.0.0"))).call();
    Candidate next = l3.candidate("orders", "1.1.0").call();
    l3.withClock(Clock.fixed(promoted, ZoneOffset.UTC)).promote(next.id()).call();
    l3.withClock(Clock.fixed(now.minus(Duration.ofHours(4)), ZoneOffset.UTC));
    Candidate ahead = l3.withUser("bob").candidate("orders", "1.2.0").call();
    Candidate down = l3.withUser("dave").candidate("orders", "1.0.0").call();
    l3.withUser("carol").recordTest(ahead.id()).onStack("pr-7").withTiming("stack", Duration.ofSeconds(42)).call();
    l3.reject(down.id()).withReason("a downgrade").call();
  }

  L3Source l3() {
    return l3 == null ? L3Source.NONE : L3Status.of(l3);
  }

  StatusReport report() {
    return Status.of(stacksAt(now)).withL3(l3()).call();
  }

  @Override
  public void close() {
    try {
      // No wait: the namespace controller removes them (and their releases) while later tests run.
      admin.namespaces().withLabel(Stack.INSTALLATION_LABEL, installation).delete();
    } finally {
      kube.close();
    }
  }
}
