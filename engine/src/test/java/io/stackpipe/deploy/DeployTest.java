package io.stackpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.deploy.record.DeployEntry;
import io.stackpipe.deploy.record.DeployHistory;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.deploy.values.ProfileValues;
import io.stackpipe.deploy.values.ProfileValuesTest;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.stack.StackLock;
import io.stackpipe.stack.StackLockedException;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.PolicyRefusedException;
import io.stackpipe.stack.policy.StackPolicies;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deployProfile on a real control plane with its node (pods run), a real registry and real Helm: every example
 * service with each of its profiles, secrets, atomic upgrades, the stack lock, the stack policy and canaries.
 */
@WithNode
class DeployTest {
  static final List<String> SERVICES = List.of("billing", "gateway", "orders");
  static final List<String> PROFILES = List.of("ephemeral", "production", "qa1");
  /** One value per service that only the chart's own values.yaml sets. */
  static final Map<String, Map.Entry<String, String>> CHART_DEFAULT = Map.of(
      "billing", Map.entry("CURRENCY", "EUR"), "gateway", Map.entry("ORDERS_URL", "http://orders:8080"),
      "orders", Map.entry("PAYMENT_TIMEOUT_SECONDS", "5"));
  static final Map<String, String> LOG_LEVEL = Map.of("ephemeral", "debug", "production", "warn", "qa1", "info");

  @TempDir
  static Path work;
  static String charts;

  KubeConnection kube;
  Stacks stacks;
  List<String> progress = new ArrayList<>();

  @BeforeAll
  static void publishExamples(LocalRegistry registry) {
    charts = registry.ociUrl("charts");
    for (String service : SERVICES) {
      Path source = TestFiles.copyTree(ExampleImages.examples().resolve(service), work.resolve("src/" + service));
      for (String version : List.of("1.0.0", "1.1.0")) {
        ChartBuild.of(source).withVersion(version).withImage(ExampleImages.image(registry, service))
            .pushTo(charts).withOutputDirectory(work.resolve("out")).call();
      }
    }
  }

  @BeforeEach
  void stacks(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    stacks = Stacks.on(kube, ns).withNamespacePrefix(ns + "-");
  }

  @AfterEach
  void destroyStacks() {
    try {
      // Deleted, not destroyed: a cleanup needs no releases uninstalled one by one, and each test's stacks have
      // names of their own. StacksTest tests destroy.
      stacks.list(null).stacks().forEach(s -> kube.client().namespaces().withName(s.namespace()).delete());
    } finally {
      kube.close();
    }
  }

  static SecretKeys demoKeys() {
    return ProfileValuesTest.demoKeys();
  }

  Deploy deploy(String stack, String service, String version, String profile) {
    return Deploy.onto(stacks, stack).withChart(ChartSource.oci(charts + "/" + service + ":" + version))
        .withProfile(profile).withSecretKeys(demoKeys()).withDeployer("alice", Set.of("team-a"))
        .withTimeout(Duration.ofMinutes(2)).withProgress(progress::add);
  }

  String createStack(String name) {
    return stacks.create(name).withOwner("alice").withType(StackType.PERSISTENT).call().namespace();
  }

  @Test
  void everyExampleServiceWithEachProfileRunsReadyWithItsValuesLayeredOnTheLiveObjects(KubernetesClient admin) {
    String ns = createStack("qa1");
    for (String service : SERVICES) {
      for (String profile : PROFILES) {
        DeployResult result = deploy("qa1", service, "1.0.0", profile)
            .withSets(List.of("config.DEPLOY_NOTE=from-set")).call();

        assertThat(result.status()).isEqualTo("deployed");
        assertThat(result.digest()).startsWith("sha256:");
        Map<String, String> config = admin.configMaps().inNamespace(ns).withName(service).get().getData();
        Map.Entry<String, String> chartDefault = CHART_DEFAULT.get(service);
        assertThat(config).as(service + " " + profile)
            .containsEntry(chartDefault.getKey(), chartDefault.getValue())   // chart values.yaml
            .containsEntry("LOG_LEVEL", LOG_LEVEL.get(profile))               // profiles/P/values.yaml
            .containsEntry("DEPLOY_NOTE", "from-set");                        // --set
        Map<String, String> secret = admin.secrets().inNamespace(ns).withName(service).get().getData();
        String suffix = profile.equals("production") ? "" : "-" + profile;    // production has no secrets.yaml
        assertThat(secret.values()).as(service + " " + profile).isNotEmpty().allSatisfy(v -> assertThat(
            new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)).endsWith(suffix)
            .startsWith(profile.equals("production") ? "dev-" : ""));
        List<Pod> pods = admin.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", service).list().getItems();
        int replicas = admin.apps().deployments().inNamespace(ns).withName(service).get().getSpec().getReplicas();
        assertThat(pods.stream().filter(DeployTest::ready)).as(service + " " + profile + " Ready pods")
            .hasSizeGreaterThanOrEqualTo(replicas);
        kube.releases().uninstall(service, ns);
      }
    }
    assertThat(stacks.show("qa1").lastActivityKind()).isEqualTo("deploy");
    assertThat(new DeployHistory(kube, ns).read().entries()).hasSize(9)
        .allSatisfy(e -> assertThat(e.result()).isEqualTo("succeeded"))
        .allSatisfy(e -> assertThat(e.user()).isEqualTo("alice"));
  }

  @Test
  void theDecryptedSecretsAppearInNoOutputErrorHistoryOrLeftoverFile() throws IOException {
    String ns = createStack("qa1");
    Set<String> canaries = ProfileValues.of(pulled("orders", "1.0.0"), "qa1").withSecretKeys(demoKeys()).call()
        .secretValues();
    assertThat(canaries).isNotEmpty();
    List<Path> before = leftovers();

    deploy("qa1", "orders", "1.0.0", "qa1").call();
    // A failing upgrade whose Helm error quotes a value: a bad image built from the secret itself.
    String secret = canaries.iterator().next();
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> deploy("qa1", "orders", "1.0.0", "qa1")
        .withSets(List.of("image.digest=" + secret)).withTimeout(Duration.ofSeconds(40)).call());

    assertThat(failure).isNotNull();
    StringBuilder everything = new StringBuilder(String.join("\n", progress));
    for (Throwable t = failure; t != null; t = t.getCause()) {
      everything.append('\n').append(t.getMessage()).append('\n').append(t);
    }
    everything.append(kube.client().configMaps().inNamespace(ns).withName(DeployHistory.NAME).get().getData());
    assertThat(everything.toString()).doesNotContain(canaries);
    assertThat(leftovers()).isEqualTo(before);
  }

  @Test
  void aFailedUpgradeRollsBackAndSaysWhyInOneLineAndTheHistoryKeepsEveryRevision(KubernetesClient admin) {
    String ns = createStack("qa1");
    deploy("qa1", "orders", "1.0.0", "qa1").call();
    String image = admin.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage();

    assertThatThrownBy(() -> deploy("qa1", "orders", "1.1.0", "qa1")
        .withSets(List.of("image.digest=sha256:" + "0".repeat(64))).withTimeout(Duration.ofSeconds(60)).call())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")
            .contains("helm upgrade orders", "rolled back to revision 1"));

    assertThat(admin.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getImage()).isEqualTo(image);
    assertThat(kube.releases().history("orders", ns)).extracting(HelmReleasesRevision::of)
        .containsExactly("1 superseded", "2 superseded", "3 deployed");
    DeployResult again = deploy("qa1", "orders", "1.1.0", "qa1").call();
    assertThat(again.revision()).isEqualTo(4);
    assertThat(again.chart()).isEqualTo("orders-1.1.0");
    assertThat(new DeployHistory(kube, ns).read().entries()).extracting(DeployEntry::result)
        .containsExactly("succeeded", "failed", "succeeded");
  }

  @Test
  void aSecondDeployWaitsForTheLockThenFailsNamingTheHolderAndChangesNothing() {
    String ns = createStack("qa1");
    try (StackLock.Held held = stacks.lock("qa1").withHolder("bob (deploy billing)").acquire()) {
      assertThatThrownBy(() -> deploy("qa1", "orders", "1.0.0", "qa1").withLockTimeout(Duration.ofSeconds(1)).call())
          .isInstanceOf(StackLockedException.class)
          .hasMessageStartingWith("stack qa1 is locked by bob (deploy billing)")
          .hasMessageContaining("waited 1s");
    }
    assertThat(kube.releases().list(ns)).isEmpty();
    // Two deploys at once: the second waits for the first and upgrades after it.
    List<Thread> threads = new ArrayList<>();
    List<DeployResult> results = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 2; i++) {
      Thread t = new Thread(() -> results.add(deploy("qa1", "orders", "1.0.0", "qa1")
          .withLockTimeout(Duration.ofMinutes(3)).call()));
      threads.add(t);
      t.start();
    }
    threads.forEach(DeployTest::join);
    assertThat(results).extracting(DeployResult::revision).containsExactlyInAnyOrder(1, 2);
  }

  @Nested
  class Policy {

    @Test
    void aDeployOutsideItsWindowAndAProfileNotAllowedAreRefusedNamingTheRuleAndChangeNothing(@TempDir Path dir)
        throws IOException {
      String ns = createStack("prod");
      Path file = dir.resolve("policy.yaml");
      Files.writeString(file, """
          stacks:
            - match: prod
              profiles: [production]
              windows:
                - days: mon-fri
                  hours: "09:00-17:00"
                  zone: Europe/Paris
              deployers: {users: [alice]}
          """);
      StackPolicies policy = StackPolicies.load(file, "policy.yaml");
      // Saturday noon in Paris.
      Stacks saturday = Stacks.on(kube, stacks.installation()).withNamespacePrefix(stacks.namespacePrefix())
          .withClock(Clock.fixed(Instant.parse("2025-03-08T11:00:00Z"), ZoneOffset.UTC));
      assertThatThrownBy(() -> Deploy.onto(saturday, "prod").withChart(ChartSource.oci(charts + "/orders:1.0.0"))
          .withProfile("production").withDeployer("alice", Set.of()).withPolicy(policy).call())
          .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("windows"))
          .hasMessageContaining("windows: 2025-03-08T11:00:00Z is outside every deploy window");
      assertThatThrownBy(() -> deploy("prod", "orders", "1.0.0", "qa1").withPolicy(policy).call())
          .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("profiles"))
          .hasMessageContaining("profile qa1 is not allowed (allowed: production)");
      assertThatThrownBy(() -> deploy("prod", "orders", "1.0.0", "production").withDeployer("mallory", Set.of())
          .withPolicy(policy).call())
          .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("deployers"));
      assertThat(kube.releases().list(ns)).isEmpty();
      assertThat(new DeployHistory(kube, ns).read().entries()).isEmpty();
    }
  }

  @Nested
  class BadInput {

    @Test
    void eachIsOneLineAndChangesNothing() {
      String ns = createStack("qa1");
      assertRefused(deploy("qa1", "orders", "1.0.0", "staging"),
          "no profile staging in orders-1.0.0.tgz (it has profiles ephemeral, production, qa1)");
      assertRefused(deploy("nope", "orders", "1.0.0", "qa1"), "nope");
      assertRefused(deploy("My_Stack", "orders", "1.0.0", "qa1"), "My_Stack");
      assertRefused(deploy("x".repeat(70), "orders", "1.0.0", "qa1"), "x".repeat(70));
      assertRefused(deploy("../x", "orders", "1.0.0", "qa1"), "../x");
      assertRefused(deploy("qa1", "orders", "9.9.9", "qa1"), "no chart orders 9.9.9 in " + charts);
      assertRefused(deploy("qa1", "orders", "1.0.0", "qa1").withChart(ChartSource.oci("oci://127.0.0.1:9/charts/orders:1.0.0")),
          "127.0.0.1:9");
      assertRefused(deploy("qa1", "orders", "1.0.0", "qa1")
          .withSecretKeys(SecretKeys.none().withAgeIdentities(List.of(Age.Identity.generate()))), "secrets.yaml");
      assertThat(kube.releases().list(ns)).isEmpty();
    }

    @Test
    void aClusterThatIsDownIsOneLine(@TempDir Path dir) throws IOException {
      Path dead = dir.resolve("kubeconfig");
      Files.writeString(dead, """
          apiVersion: v1
          kind: Config
          clusters: [{name: dead, cluster: {server: "https://127.0.0.1:9"}}]
          users: [{name: u, user: {token: t}}]
          contexts: [{name: c, context: {cluster: dead, user: u}}]
          current-context: c
          """);
      try (KubeConnection down = KubeConnection.fromKubeconfig(dead, null)) {
        assertRefused(Deploy.onto(Stacks.on(down, "default"), "qa1")
            .withChart(ChartSource.oci(charts + "/orders:1.0.0")).withProfile("qa1").withSecretKeys(demoKeys()),
            "127.0.0.1:9");
      }
    }

    private void assertRefused(Deploy deploy, String mentions) {
      assertThatThrownBy(deploy::call).isInstanceOf(StackpipeException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(mentions));
    }
  }

  @Test
  void aCanaryTakesItsShareOfRealTrafficThenAbortLeavesOnlyStableAndPromoteMovesTheStableRelease(
      KubernetesClient admin) throws Exception {
    String ns = createStack("qa1");
    deploy("qa1", "orders", "1.0.0", "qa1").withSets(List.of("replicaCount=3")).call();

    DeployResult canary = deploy("qa1", "orders", "1.1.0", "qa1").withCanary(Canary.parse("25%")).call();

    assertThat(canary.release()).isEqualTo("orders-canary");
    assertThat(canary.canary().replicas()).isEqualTo(1);
    assertThat(canary.canary().share()).isEqualTo(25);
    assertThat(new DeployHistory(kube, ns).read().canaries()).containsOnlyKeys("orders");
    assertThat(deployed()).containsExactly("orders orders 1.0.0 stable", "orders orders-canary 1.1.0 canary");
    assertThat(admin.services().inNamespace(ns).list().getItems()).extracting(s -> s.getMetadata().getName())
        .containsExactly("orders");
    String url = kube.services().of("orders", ns).url();
    awaitReadyEndpoints(admin, ns, "orders", 4);
    List<String> served = versions(url, 200);
    long toCanary = served.stream().filter("1.1.0"::equals).count();
    assertThat(toCanary).as("requests of 200 served by the canary (1 pod of 4: about 50): " + served.stream()
        .distinct().map(v -> v + " x" + java.util.Collections.frequency(served, v)).toList()).isBetween(20L, 90L);

    deploy("qa1", "orders", "1.1.0", "qa1").withRelease("orders").abort();
    awaitGone(admin, ns, "orders-canary");
    awaitReadyEndpoints(admin, ns, "orders", 3);
    assertThat(versions(url, 50)).containsOnly("1.0.0");
    assertThat(new DeployHistory(kube, ns).read().canaries()).isEmpty();
    assertThat(deployed()).containsExactly("orders orders 1.0.0 stable");

    deploy("qa1", "orders", "1.1.0", "qa1").withCanary(Canary.parse("1")).call();
    DeployResult promoted = Deploy.onto(stacks, "qa1").withRelease("orders").withSecretKeys(demoKeys())
        .withDeployer("alice", Set.of()).promote();
    assertThat(promoted.chart()).isEqualTo("orders-1.1.0");
    awaitGone(admin, ns, "orders-canary");
    awaitReadyEndpoints(admin, ns, "orders", 2);
    assertThat(versions(url, 30)).containsOnly("1.1.0");
    assertThat(kube.releases().list(ns)).extracting(r -> r.name()).containsExactly("orders");
    assertThat(deployed()).containsExactly("orders orders 1.1.0 stable");
    assertThat(admin.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getReplicas())
        .as("promote deploys the canary's profile and --set: qa1's 2 pods").isEqualTo(2);
  }

  /** The stack's deployed-services record, as the status report reads it. */
  private List<String> deployed() {
    return DeployedServices.of(stacks, "qa1").read().stream().map(s -> s.service() + " " + s.release() + " "
        + s.version() + " " + (s.canary() ? "canary" : "stable")).toList();
  }

  @Test
  void policyCanRequireACanaryFirst(@TempDir Path dir) throws IOException {
    createStack("prod");
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "stacks:\n  - match: prod\n    canaryFirst: [orders]\n");
    assertThatThrownBy(() -> deploy("prod", "orders", "1.0.0", "production")
        .withPolicy(StackPolicies.load(file, "policy.yaml")).call())
        .isInstanceOfSatisfying(PolicyRefusedException.class, e -> assertThat(e.rule()).isEqualTo("canaryFirst"));
  }

  /** The chart version each of {@code n} fresh connections is answered with (one connection per request). */
  static List<String> versions(String url, int n) throws IOException {
    java.net.URI uri = java.net.URI.create(url);
    List<String> versions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /version HTTP/1.0\r\nHost: " + uri.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"version\":\"([^\"]*)\"").matcher(response);
        versions.add(m.find() ? m.group(1) : "no version in: " + response.lines().findFirst().orElse(""));
      }
    }
    return versions;
  }

  static void awaitGone(KubernetesClient admin, String ns, String release) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!admin.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", release).list().getItems().isEmpty()
        || !admin.pods().inNamespace(ns).withLabel("stackpipe.io/track", "canary").list().getItems().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("canary pods still there after 60 s");
      }
      Thread.sleep(500);
    }
  }

  /**
   * Until the Service has exactly {@code count} ready endpoints, and kube-proxy (which syncs on every
   * EndpointSlice change, asynchronously) has as many in its iptables rules for it.
   */
  static void awaitReadyEndpoints(KubernetesClient admin, String ns, String service, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      long ready = admin.discovery().v1().endpointSlices().inNamespace(ns)
          .withLabel("kubernetes.io/service-name", service).list().getItems().stream()
          .flatMap(slice -> slice.getEndpoints() == null ? Stream.empty() : slice.getEndpoints().stream())
          .filter(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())).count();
      if (ready == count && proxiedEndpoints(ns, service) == count) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Service " + service + " has " + ready + " ready endpoints (kube-proxy: "
            + proxiedEndpoints(ns, service) + ") after 60 s, not " + count);
      }
      Thread.sleep(100);
    }
  }

  /** The endpoints kube-proxy balances the Service over: one {@code KUBE-SVC} rule to a {@code KUBE-SEP} each. */
  static long proxiedEndpoints(String ns, String service) {
    try {
      Process save = new ProcessBuilder("iptables-save", "-t", "nat").redirectErrorStream(true).start();
      String rules = new String(save.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (save.waitFor() != 0) {
        throw new AssertionError("iptables-save failed: " + rules);
      }
      String comment = "--comment \"" + ns + "/" + service + ":";
      return rules.lines().filter(r -> r.startsWith("-A KUBE-SVC-") && r.contains(comment) && r.contains(" -> ")
          && r.contains(" -j KUBE-SEP-")).count();
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError("cannot read kube-proxy's rules", e);
    }
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  Path pulled(String service, String version) {
    try (io.stackpipe.PrivateTempDir temp = io.stackpipe.PrivateTempDir.create("test-pull-")) {
      Path copy = work.resolve(service + "-" + version + "-pulled.tgz");
      Files.copy(ChartSource.oci(charts + "/" + service + ":" + version).fetch(temp, io.stackpipe.registry.auth.RegistryAuth.anonymous()).archive(), copy,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return copy;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Files and folders this JVM's deploys could leave in the temp directory. */
  static List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(p -> p.getFileName().toString().matches("stackpipe-(values|deploy|install|rollback)-.*"))
          .sorted().toList();
    }
  }

  /** A Helm revision as "N status". */
  static final class HelmReleasesRevision {
    static String of(io.stackpipe.kube.HelmReleases.Revision r) {
      return r.revision() + " " + r.status();
    }
  }
}
