package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.base.FileTrees;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.Verdict;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.Secret;
import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepEnvironment;
import io.stackpipe.installation.Session;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.status.StatusHtml;
import io.stackpipe.status.StatusReport;
import io.stackpipe.status.StatusText;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.steps.StepSettings;
import io.stackpipe.steps.Steps;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.Going;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.WithNode;
import io.stackpipe.testsupport.registry.PrivateRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The repository's service and job Jenkinsfiles, run through the step layer against real private registries and the
 * real cluster whose node runs the pods: one fixture for the class (the three example services published at 1.0.0, L3
 * initialized from them, the production stack — the pipeline makes qa1 itself —, the installation's settings with
 * the kubeconfig and the age key as secrets and a stack policy).
 *
 * <p>Every registry requires authentication, with the credentials of the plugin's configuration (its registry list
 * of host → credentials id, resolved from the credentials store): the charts live behind a Bearer token server
 * (scopes pull and push), as does the gateway's image; orders' and billing's images behind Basic. So buildChart,
 * promoteL3 (its candidate stack), createEphemeralStack and deployProfile speak both, and the node pulls every image
 * through the stacks' pull secret. Both passwords are canaries no log, message, result or file may hold.
 *
 * <p>The one substitution: this machine has no buildah, so the service pipeline's image command is carried out by
 * building the same image from the workspace's Go source with jib and copying it to the same private registry.
 */
@WithNode
class JenkinsfilesTest {

  static final Path REPO = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
  static final String POLICY = """
      stacks:
        - match: production
          profiles: [production]
          quality: L3
          deployers: {users: [alice]}
        - match: qa1
          profiles: [qa1]
      """;

  static Path work;
  /** The node's anonymous registry, where the example images are built before they are copied to private ones. */
  static LocalRegistry registry;
  /** Basic: orders' and billing's images, the pipeline's REGISTRY. */
  static PrivateRegistry images;
  /** Bearer with scopes: the charts (the umbrellas of L3 and its candidates too) and the gateway's image. */
  static PrivateRegistry chartRegistry;
  /** The tests' own access to both. */
  static RegistryAuth auth;
  static final Map<String, String> IMAGES = new LinkedHashMap<>();
  static String charts;
  static KubeConnection kube;
  static Stacks stacks;
  static PluginConfiguration jenkins;
  static String kubeconfigText;
  static String ageKey;

  @BeforeAll
  static void publishTheServicesInitL3AndMakeThePersistentStacks(LocalRegistry localRegistry, ControlPlane plane,
      @KubeConfigPath Path kubeconfig) throws IOException {
    work = Files.createTempDirectory("pipelines-");
    registry = localRegistry;
    images = PrivateRegistry.basic();
    chartRegistry = PrivateRegistry.bearer();
    plane.trustRegistry(images.host());
    plane.trustRegistry(chartRegistry.host());
    auth = RegistryAuth.of(List.of(RegistryAuth.explicit(Map.of(
        images.host(), RegistryCredential.password(images.user(), Secret.of(images.password()), "test"),
        chartRegistry.host(), RegistryCredential.password(chartRegistry.user(), Secret.of(chartRegistry.password()),
            "test")), "test")));
    for (String service : List.of("orders", "billing", "gateway")) {
      String target = (service.equals("gateway") ? chartRegistry : images).host() + "/services/" + service + ":test";
      ImageCopy.copy(ExampleImages.image(registry, service), target, auth);
      IMAGES.put(service, target);
    }
    charts = chartRegistry.ociUrl("pipelines");
    ChartPublish.of(ExampleImages.examples()).withVersion("1.0.0").withRegistryAuth(auth)
        .withImages(IMAGES::get).pushTo(charts)
        .withOutputDirectory(work.resolve("published")).call();
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    l3().init().withFrom(ServiceVersion.parseList("orders=1.0.0,billing=1.0.0,gateway=1.0.0", "from")).call();
    stacks = Stacks.on(kube, "pipelines").withNamespacePrefix("jp-");
    stacks.create("production").withOwner("ops").withType(StackType.PRODUCTION).call();
    kubeconfigText = Files.readString(kubeconfig);
    ageKey = Files.readString(REPO.resolve("examples/keys/demo-age-key.txt"));
    jenkins = PluginConfiguration.of(StepSettings.defaults().withCharts(charts)
            .withKubeconfig(Secret.of(kubeconfigText))
            .withInstallation("pipelines").withNamespacePrefix("jp-")
            .withAgeKey(Secret.of(ageKey))
            .withPolicy(POLICY, "policy.yaml")
            .withTimeout(Duration.ofMinutes(3)))
        .withRegistry(images.host(), "images-robot", images.user(), images.password())
        .withRegistry(chartRegistry.host(), "charts-robot", chartRegistry.user(), chartRegistry.password());
  }

  @AfterAll
  static void cleanUp() {
    if (kube != null) {
      kube.close();
    }
    if (work != null) {
      FileTrees.deleteQuietly(work);
    }
    if (images != null) {
      images.close();
    }
    if (chartRegistry != null) {
      chartRegistry.close();
    }
  }

  static L3 l3() {
    return L3.on(kube, charts).withRegistryAuth(auth);
  }

  static L3Version currentL3() {
    return l3().current().orElseThrow();
  }

  /** A fresh checkout of the service repository {@code service} (its chart, app and vendored system tests). */
  static Path checkout(String service, String build) {
    Path workspace = work.resolve("workspace").resolve(service + "-" + build);
    copy(ExampleImages.examples().resolve(service), workspace);
    copy(REPO.resolve("examples/system-tests.sh"), workspace.resolve("system-tests.sh"));
    return workspace;
  }

  static JenkinsPipeline servicePipeline(String service, String branch, String build, Path workspace) {
    return new JenkinsPipeline(REPO, workspace, jenkins)
        .withEnv("JOB_NAME", service + "/" + branch).withEnv("BRANCH_NAME", branch).withEnv("BUILD_NUMBER", build)
        .withEnv("BUILD_URL", "https://jenkins.example.com/job/" + service + "/job/" + branch + "/" + build + "/")
        .withEnv("REGISTRY", images.host())
        .substituting(JenkinsfilesTest::buildah);
  }

  private static final Pattern BUILDAH = Pattern.compile("buildah bud -t (\\S+) \\. && buildah push (\\S+)");

  /**
   * {@code buildah bud -t IMAGE . && buildah push IMAGE}: the same image, from the workspace's Go source, built with
   * jib into the anonymous registry and copied to the private one (a logged-in buildah's push).
   */
  static boolean buildah(String script, Path directory, Map<String, String> environment, List<String> log) {
    Matcher m = BUILDAH.matcher(script);
    if (!m.matches()) {
      return false;
    }
    assertThat(m.group(2)).as("pushes what it built").isEqualTo(m.group(1));
    String name = environment.get("JOB_NAME").split("/")[0];
    log.add("+ " + script);
    String built = registry.host() + "/built/" + m.group(1).substring(m.group(1).indexOf('/') + 1);
    GoImages.push(directory.resolve("app"), name, built);
    log.add("pushed " + m.group(1) + "@" + ImageCopy.copy(built, m.group(1), auth));
    return true;
  }

  @Nested
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class ServicePipeline {

    @Test
    @Order(1)
    void buildsTestsPromotesAndDeploysToQa1ThenProductionAfterTheInput(KubernetesClient admin) {
      L3Version before = currentL3();
      Path workspace = checkout("orders", "1");

      JenkinsPipeline build = servicePipeline("orders", "main", "1", workspace)
          .onInput(input -> {
            assertThat(input.get("message")).hasToString("Deploy the L3 version of orders to production?");
            return null;
          })
          .run("examples/Jenkinsfile");

      assertThat(build.result()).as(build.logText()).isEqualTo("SUCCESS");
      assertThat(build.stages).containsExactly("Checkout", "Image", "Chart", "L3 candidate", "qa1", "Production");
      // The real system tests ran against the candidate's stack, through the gateway too.
      assertThat(build.log).contains("all checks passed").anyMatch(l -> l.matches("ok +GET http://[0-9.:]+/summary"));
      L3Version after = currentL3();
      assertThat(after.services()).containsEntry("orders", "1.4.1").containsEntry("billing", "1.0.0");
      assertThat(build.log).contains("L3 " + before.version() + " -> " + after.version() + ": promoted");
      Candidate candidate = l3().listCandidates().stream().filter(c -> c.change().to().equals("1.4.1")).findFirst()
          .orElseThrow();
      assertThat(candidate.verdict()).isEqualTo(Verdict.PROMOTED);
      assertThat(candidate.buildUrl()).isEqualTo("https://jenkins.example.com/job/orders/job/main/1/");
      assertThat(Going.goneOrGoing(admin, "jp-l3-" + candidate.id())).as("candidate stack destroyed").isTrue();

      assertThat(kube.releases().list("jp-qa1")).extracting(r -> r.chart() + " " + r.status())
          .containsExactly("orders-1.4.1 deployed");
      assertThat(admin.apps().deployments().inNamespace("jp-qa1").withName("orders").get().getStatus()
          .getReadyReplicas()).isEqualTo(2);
      assertThat(kube.releases().list("jp-production")).extracting(r -> r.chart() + " " + r.status())
          .containsExactly("orders-1.4.1 deployed");
      assertThat(build.log).contains("production: orders-1.4.1 revision 1 deployed");
      assertNoSecretIn(build);
      assertNothingLeftIn(workspace);
      assertThat(build.log).contains("created persistent stack qa1 (owner team-qa) in namespace jp-qa1");
      assertResultsAsDocumented(build, "buildChart", "promoteL3", "ensureStack", "deployProfile", "deployProfile");
    }

    @Test
    @Order(2)
    void aRebuildOfTheL3VersionSkipsTheGateAndProductionRefusesWhoIsNotADeployer() {
      L3Version before = currentL3();
      Path workspace = checkout("orders", "1-again");

      JenkinsPipeline build = servicePipeline("orders", "main", "1", workspace).asUser("bob")
          .run("examples/Jenkinsfile");

      assertThat(build.result()).isEqualTo("FAILURE");
      assertThat(build.error()).isEqualTo("deployProfile: stack production: policy policy.yaml:2 (stacks[0])"
          + " refuses: deployers: bob may not deploy (allowed users: alice; groups: none)");
      assertThat(build.log).anyMatch(l -> l.endsWith("already: nothing to gate")).contains("L3 " + before.version() + " -> "
          + before.version() + ": unchanged");
      assertThat(build.log).contains("found persistent stack qa1 (owner team-qa) in namespace jp-qa1")
          .contains("qa1: orders-1.4.1 revision 2 deployed");
      assertThat(currentL3()).isEqualTo(before);
      assertThat(kube.releases().list("jp-production")).extracting(r -> r.revision()).containsExactly(1);
    }

    @Test
    void aFailingSystemTestRejectsTheCandidateAndLeavesL3AsItWas(KubernetesClient admin) {
      L3Version before = currentL3();
      // billing as a developer might push it: starts and gets Ready, but its /invoices fails.
      Path workspace = checkout("billing", "2");
      FileTrees.deleteQuietly(workspace.resolve("app"));
      copy(REPO.resolve("examples/broken/billing/app"), workspace.resolve("app"));

      JenkinsPipeline build = servicePipeline("billing", "main", "2", workspace).run("examples/Jenkinsfile");

      assertThat(build.result()).isEqualTo("FAILURE");
      assertThat(build.error()).isEqualTo("script returned exit code 1");
      assertThat(build.stages).containsExactly("Checkout", "Image", "Chart", "L3 candidate");
      assertThat(build.log).anyMatch(l -> l.startsWith("FAIL  GET http://") && l.contains("/invoices"));
      assertThat(currentL3().version()).isEqualTo(before.version());
      Candidate candidate = l3().listCandidates().stream().filter(c -> c.change().to().equals("1.4.2")).findFirst()
          .orElseThrow();
      assertThat(candidate.verdict()).isEqualTo(Verdict.REJECTED);
      // Why, in the tests' own words, as the CLI gate records it: their last lines, masked, on one line.
      assertThat(candidate.reason()).startsWith("the body failed: script returned exit code 1: ")
          .contains("FAIL GET http://").contains("check(s) failed: billing /invoices");
      assertThat(Going.goneOrGoing(admin, "jp-l3-" + candidate.id())).as("candidate stack destroyed").isTrue();
      assertNoSecretIn(build);
      assertNothingLeftIn(workspace);
    }

    @Test
    void aCandidateOvertakenWhileItsTestsRanIsStaleAndNamesTheRebase(KubernetesClient admin) {
      // Another service's change, published meanwhile by its own pipeline.
      Path billing = checkout("billing", "concurrent");
      ChartBuild.of(billing).withVersion("1.0.1").withImage(IMAGES.get("billing")).withRegistryAuth(auth)
          .pushTo(charts).withOutputDirectory(work.resolve("concurrent")).call();
      Path workspace = checkout("orders", "3");

      JenkinsPipeline build = servicePipeline("orders", "feature-x", "3", workspace)
          .substituting((script, directory, environment, log) -> {
            if (script.equals("sh system-tests.sh")) {
              // While these tests run, billing's pipeline promotes its candidate: L3 moves under this one.
              L3 other = l3();
              other.promote(other.candidate("billing", "1.0.1").call().id()).call();
            }
            return false;
          })
          .run("examples/Jenkinsfile");

      assertThat(build.result()).isEqualTo("FAILURE");
      Candidate candidate = l3().listCandidates().stream().filter(c -> c.change().to().equals("1.4.3")).findFirst()
          .orElseThrow();
      assertThat(build.error()).startsWith("promoteL3: candidate " + candidate.id() + " is stale: ")
          .contains("rebase").doesNotContain("\n");
      assertThat(candidate.verdict()).isEqualTo(Verdict.STALE);
      assertThat(currentL3().services()).containsEntry("billing", "1.0.1").doesNotContainEntry("orders", "1.4.3");
      assertThat(Going.goneOrGoing(admin, "jp-l3-" + candidate.id())).as("candidate stack destroyed").isTrue();
      assertNothingLeftIn(workspace);
    }

    @Test
    void promoteCandidatePromotesACandidateTestedElsewhereAndRefusesAStaleOneAndPromoteL3NeedsABody()
        throws IOException {
      // Two candidates made from the same L3 (as two pipelines that test in stages of their own would).
      for (String version : List.of("1.0.1", "1.0.2")) {
        ChartBuild.of(checkout("gateway", version)).withVersion(version)
            .withImage(IMAGES.get("gateway")).withRegistryAuth(auth).pushTo(charts)
            .withOutputDirectory(work.resolve("gateway-" + version)).call();
      }
      String first = l3().candidate("gateway", "1.0.1").call().id();
      String second = l3().candidate("gateway", "1.0.2").call().id();
      L3Version before = currentL3();
      Path root = Files.createDirectories(work.resolve("non-block"));
      Files.writeString(root.resolve("Jenkinsfile"), """
          node {
            def promoted = promoteCandidate candidate: params.CANDIDATE
            echo "L3 ${promoted.before.version} -> ${promoted.after.version}: ${promoted.verdict}"
          }
          """);

      JenkinsPipeline promoted = new JenkinsPipeline(root, root.resolve("ws-1"), jenkins)
          .withParam("CANDIDATE", first).run("Jenkinsfile");
      JenkinsPipeline stale = new JenkinsPipeline(root, root.resolve("ws-2"), jenkins)
          .withParam("CANDIDATE", second).run("Jenkinsfile");

      assertThat(promoted.result()).as(promoted.logText()).isEqualTo("SUCCESS");
      L3Version after = currentL3();
      assertThat(after.services()).containsEntry("gateway", "1.0.1");
      assertThat(promoted.log).contains("L3 " + before.version() + " -> " + after.version() + ": promoted");
      assertResultsAsDocumented(promoted, "promoteCandidate");
      assertThat(stale.result()).isEqualTo("FAILURE");
      assertThat(stale.error()).startsWith("promoteCandidate: candidate " + second + " is stale: ")
          .endsWith("(run the pipeline again to test the change on the new L3, or `stackpipe l3 rebase " + second + "`)");
      assertThat(currentL3()).isEqualTo(after);

      // As in Jenkins: a block step called without a body is refused before it runs.
      Files.writeString(root.resolve("Bodyless"), "node { promoteL3 service: 'gateway', version: '1.0.2' }\n");
      JenkinsPipeline bodyless = new JenkinsPipeline(root, root.resolve("ws-3"), jenkins).run("Bodyless");
      assertThat(bodyless.result()).isEqualTo("FAILURE");
      assertThat(bodyless.error()).isEqualTo("promoteL3 step must be called with a body");
      assertThat(currentL3()).isEqualTo(after);
    }
  }

  @Nested
  class EveryStepsOutput {

    @Test
    void showsTheProfilesDecryptedSecretsAndTheInstallationsCredentialsMasked(KubernetesClient admin)
        throws IOException {
      String registryCanary = "reg-kanary-" + Long.toString(System.nanoTime(), 36);
      Path workspace = checkout("orders", "masked");
      // A template that quotes a decrypted secret and a value in Helm's error when asked to (never in buildChart).
      Files.writeString(workspace.resolve("templates/leak.yaml"), "{{- if .Values.leak }}{{ fail (printf"
          + " \"leaking %s and %s\" .Values.secrets.databasePassword .Values.registryToken) }}{{- end }}\n");
      Files.writeString(workspace.resolve("Jenkinsfile.masked"), """
          node {
            ensureStack name: 'masked', type: 'persistent', owner: 'team-qa'
            def chart = buildChart version: '1.9.0'
            // a pipeline that hands a credential to a chart (as withCredentials would)
            deployProfile chart: chart.artifact, profile: 'qa1', stack: 'masked', set: [leak: 'yes', registryToken: '%s']
          }
          """.formatted(registryCanary));
      PluginConfiguration withRegistryCredential = jenkins.withRegistry("registry.example.com", "ci-robot", "ci",
          registryCanary);

      JenkinsPipeline build = new JenkinsPipeline(workspace, workspace, withRegistryCredential)
          .run("Jenkinsfile.masked");

      try {
        assertThat(build.result()).isEqualTo("FAILURE");
        // Both were there (an empty value would print nothing between the words), and neither is shown.
        assertThat(build.error()).startsWith("deployProfile: ").contains("leaking **** and ****")
            .doesNotContain(registryCanary);
        assertThat(build.logText()).doesNotContain(registryCanary);
        assertNoSecretIn(build);
        assertNothingLeftIn(workspace);
      } finally {
        stacks.destroy("masked").call();
      }
    }
  }

  @Nested
  class RegistryCredentialsId {

    /** A Jenkinsfile that builds and pushes billing at {@code version} with the step's own credential {@code id}. */
    JenkinsPipeline build(String version, String id, PluginConfiguration configuration) throws IOException {
      Path root = Files.createDirectories(work.resolve("credentials-id-" + version));
      Files.writeString(root.resolve("Jenkinsfile"), """
          node {
            dir('billing') {
              def chart = buildChart version: '%s', push: true, registryCredentialsId: '%s'
              echo "pushed ${chart.published}"
            }
          }
          """.formatted(version, id));
      copy(ExampleImages.examples().resolve("billing"), root.resolve("ws/billing"));
      return new JenkinsPipeline(root, root.resolve("ws"), configuration).run("Jenkinsfile");
    }

    @Test
    void aStepsOwnCredentialReplacesTheRegistryListsForTheChartRegistry() throws IOException {
      String teamPassword = "canary-team-" + java.util.UUID.randomUUID();
      chartRegistry.tokens().withUser("team", teamPassword, "pull", "push");
      PluginConfiguration configuration = jenkins.withCredential("team-charts", "team", teamPassword);
      int before = chartRegistry.tokens().requests.size();

      JenkinsPipeline build = build("2.0.0", "team-charts", configuration);

      assertThat(build.result()).as(build.logText()).isEqualTo("SUCCESS");
      assertThat(build.log).contains("pushed " + charts + "/billing:2.0.0");
      // The token server saw the step's user, not the registry list's.
      assertThat(chartRegistry.tokens().requests.subList(before, chartRegistry.tokens().requests.size()))
          .filteredOn(request -> request.contains("/billing:")).isNotEmpty()
          .allMatch(request -> request.endsWith(" by team"));
      assertThat(build.logText() + build.stepResults).doesNotContain(teamPassword);
      assertNoSecretIn(build);
    }

    @Test
    void anUnknownIdIsOneLineAndPushesNothing() throws IOException {
      JenkinsPipeline build = build("2.0.1", "nobody-knows", jenkins);

      assertThat(build.result()).isEqualTo("FAILURE");
      assertThat(build.error()).isEqualTo("Stackpipe settings: registryCredentialsId: no credentials 'nobody-knows'"
          + " of kind a username with password visible to this build");
      assertThat(new io.stackpipe.registry.OciRegistry(chartRegistry.host(), true, auth)
          .tags(io.stackpipe.chart.OciChartTarget.parse(charts).repository("billing"))).doesNotContain("2.0.1");
    }
  }

  @Nested
  class CreateMyStackJob {

    @Test
    void createsAStackFromL3ForTheUserWhoStartedItAndSaysHowToConnect(KubernetesClient admin) {
      L3Version l3 = currentL3();
      Path workspace = work.resolve("workspace/create-1");

      JenkinsPipeline build = new JenkinsPipeline(REPO, workspace, jenkins).asUser("carol")
          .withParam("STACK_NAME", "carol-dev").withParam("PURPOSE", "try the platform")
          .run("jobs/create-my-stack.Jenkinsfile");

      assertThat(build.result()).as(build.logText()).isEqualTo("SUCCESS");
      assertThat(build.declaredParameters).extracting(p -> p.get("name"))
          .containsExactly("STACK_NAME", "OWNER", "MANIFEST", "TTL", "PURPOSE");
      var namespace = admin.namespaces().withName("jp-carol-dev").get();
      assertThat(namespace.getMetadata().getAnnotations()).containsEntry("stackpipe.io/owner", "carol")
          .containsEntry("stackpipe.io/purpose", "try the platform").containsEntry("stackpipe.io/ttl", "7d")
          .containsEntry("stackpipe.io/manifest-version", l3.version());
      assertThat(build.currentBuild.get("description")).hasToString("carol-dev (carol): platform " + l3.version());
      l3.services().forEach((service, version) -> assertThat(build.log)
          .anyMatch(line -> line.matches("  " + service + " " + Pattern.quote(version) + " http://[0-9.:]+")));
      assertThat(build.log).contains("  telepresence connect --namespace jp-carol-dev");

      // The other two steps, as a pipeline would call them on the stack the job made.
      Map<String, Object> touched = Steps.call("touchStack", Map.of("name", "carol-dev"),
          io.stackpipe.steps.StepEnvironment.in(workspace, jenkins.forBuild()));
      assertThat(touched).containsEntry("lastActivityKind", "touch").containsEntry("owner", "carol");
      Map<String, Object> destroyed = Steps.call("destroyStack", Map.of("name", "carol-dev"),
          io.stackpipe.steps.StepEnvironment.in(workspace, jenkins.forBuild()));
      assertThat(destroyed).containsEntry("namespace", "jp-carol-dev").containsEntry("releases", List.of("platform"));
      assertThat(Going.goneOrGoing(admin, "jp-carol-dev")).isTrue();
      assertNoSecretIn(build);
      assertResultsAsDocumented(build, "createEphemeralStack");
      assertThat(touched.keySet()).isSubsetOf(documented("touchStack"));
      assertThat(destroyed.keySet()).isSubsetOf(documented("destroyStack"));
    }

    @Test
    void aManifestVersionAndAnOwnerForSomeoneElse(KubernetesClient admin) {
      String initVersion = l3().history().call().promotions().stream()
          .filter(p -> p.candidate() == null).findFirst().orElseThrow().version();

      JenkinsPipeline build = new JenkinsPipeline(REPO, work.resolve("workspace/create-2"), jenkins).asUser("carol")
          .withParam("STACK_NAME", "dave-demo").withParam("OWNER", "dave").withParam("MANIFEST", initVersion)
          .withParam("TTL", "36h")
          .run("jobs/create-my-stack.Jenkinsfile");

      assertThat(build.result()).as(build.logText()).isEqualTo("SUCCESS");
      assertThat(admin.namespaces().withName("jp-dave-demo").get().getMetadata().getAnnotations())
          .containsEntry("stackpipe.io/owner", "dave").containsEntry("stackpipe.io/ttl", "1d12h")
          .containsEntry("stackpipe.io/manifest-version", initVersion);
      assertThat(build.log).anyMatch(l -> l.startsWith("  orders 1.0.0 http://"))
          .anyMatch(l -> l.startsWith("  billing 1.0.0 http://"));
      stacks.destroy("dave-demo").call();
    }

    @Test
    void aBadTtlIsOneLineAndCreatesNothing(KubernetesClient admin) {
      JenkinsPipeline build = new JenkinsPipeline(REPO, work.resolve("workspace/create-3"), jenkins)
          .withParam("STACK_NAME", "erin-dev").withParam("TTL", "a week")
          .run("jobs/create-my-stack.Jenkinsfile");

      assertThat(build.result()).isEqualTo("FAILURE");
      assertThat(build.error()).startsWith("createEphemeralStack: ttl: ").doesNotContain("\n");
      assertThat(admin.namespaces().withName("jp-erin-dev").get()).isNull();
    }

    @Test
    void aMissingStackNameIsRefusedByTheJob() {
      JenkinsPipeline build = new JenkinsPipeline(REPO, work.resolve("workspace/create-4"), jenkins)
          .run("jobs/create-my-stack.Jenkinsfile");

      assertThat(build.result()).isEqualTo("FAILURE");
      assertThat(build.error()).isEqualTo("STACK_NAME is required: the stack's name, e.g. alice-dev");
    }
  }

  /** A user's abort (Jenkins' stop interrupts the running step) during each long step: nothing is left behind. */
  @Nested
  class Aborts {

    @Test
    void anAbortWhileCreateEphemeralStackInstallsDestroysTheHalfMadeStackAndSaysSoInOneLine(KubernetesClient admin) {
      Path workspace = work.resolve("workspace/abort-create");

      JenkinsPipeline build = new JenkinsPipeline(REPO, workspace, jenkins).asUser("carol")
          .withParam("STACK_NAME", "carol-abort")
          .abortAt(line -> line.startsWith("created stack carol-abort"))
          .run("jobs/create-my-stack.Jenkinsfile");

      assertThat(build.result()).as(build.logText()).isEqualTo("ABORTED");
      assertThat(build.log).endsWith(
          "createEphemeralStack: aborted: stack carol-abort was being created, and is destroyed",
          "Aborted by carol", "Finished: ABORTED");
      assertThat(build.logText()).doesNotContain("cannot reach").doesNotContain("@tmp");
      assertThat(Going.goneOrGoing(admin, "jp-carol-abort")).as("half-made stack destroyed").isTrue();
      assertNothingLeftIn(workspace);
    }

    @Test
    void anAbortWhileTheCandidatesStackIsMadeRejectsTheCandidateAsAbortedAndDestroysTheStack(
        KubernetesClient admin) {
      L3Version before = currentL3();
      Path workspace = checkout("orders", "20");

      JenkinsPipeline build = servicePipeline("orders", "main", "20", workspace)
          .abortAt(line -> line.startsWith("created stack l3-"))
          .run("examples/Jenkinsfile");

      assertThat(build.result()).as(build.logText()).isEqualTo("ABORTED");
      Candidate candidate = candidateOf("1.4.20");
      assertThat(candidate.verdict()).isEqualTo(Verdict.REJECTED);
      assertThat(candidate.reason()).isEqualTo("aborted while its stack was being made");
      assertThat(build.log).contains("promoteL3: aborted: candidate " + candidate.id() + " (orders 1.4.20) is"
          + " rejected as aborted; its stack l3-" + candidate.id() + ": aborted: stack l3-" + candidate.id()
          + " was being created, and is destroyed").endsWith("Aborted by alice", "Finished: ABORTED");
      assertThat(build.stages).containsExactly("Checkout", "Image", "Chart", "L3 candidate");
      assertThat(Going.goneOrGoing(admin, "jp-l3-" + candidate.id())).as("candidate stack destroyed").isTrue();
      assertThat(currentL3()).isEqualTo(before);
      assertNothingLeftIn(workspace);
    }

    @Test
    void anAbortWhileTheBodyRunsRejectsTheCandidateAsAbortedAndDestroysItsStack(
        KubernetesClient admin) {
      L3Version before = currentL3();
      Path workspace = checkout("orders", "21");

      JenkinsPipeline build = servicePipeline("orders", "main", "21", workspace)
          .abortAt(line -> line.equals("+ sh system-tests.sh"))
          .run("examples/Jenkinsfile");

      assertThat(build.result()).as(build.logText()).isEqualTo("ABORTED");
      Candidate candidate = candidateOf("1.4.21");
      assertThat(candidate.verdict()).isEqualTo(Verdict.REJECTED);
      assertThat(candidate.reason()).isEqualTo("aborted: Aborted by alice");
      assertThat(build.log).contains("promoteL3: aborted: candidate " + candidate.id() + " rejected as aborted:"
          + " Aborted by alice; stack l3-" + candidate.id() + " destroyed")
          .endsWith("Aborted by alice", "Finished: ABORTED");
      assertThat(Going.goneOrGoing(admin, "jp-l3-" + candidate.id())).as("candidate stack destroyed").isTrue();
      assertThat(currentL3()).isEqualTo(before);
      assertNothingLeftIn(workspace);
    }

    @Test
    void aCreateEphemeralStackResumedAfterARestartRemakesTheStackItWasMakingAndLeavesAnyOtherAlone() {
      List<String> progress = new ArrayList<>();
      StepEnvironment carol = StepEnvironment.in(work.resolve("workspace/resume"), jenkins.forBuild())
          .withUser("carol", Set.of()).withProgress(progress::add);
      StepArguments arguments = Steps.validate("createEphemeralStack", Map.of("name", "carol-resume"));
      Instant started = Instant.now();
      // What the first run left when the controller died: the stack's namespace, its release not made yet.
      stacks.create("carol-resume").withOwner("carol").call();

      Map<String, Object> made = Steps.resume(arguments, started, carol);

      assertThat(made).containsEntry("namespace", "jp-carol-resume");
      assertThat(kube.releases().list("jp-carol-resume")).extracting(r -> r.status()).containsExactly("deployed");
      assertThat(progress).startsWith("createEphemeralStack: resumed after a restart; running it again")
          .contains("destroyed stack carol-resume, left half made by the run before the restart");

      // A stack of that name made before the step began is not this step's: left alone, refused as existing.
      assertThatThrownBy(() -> Steps.resume(arguments, Instant.now().plusSeconds(5), carol))
          .hasMessage("createEphemeralStack: stack: \"carol-resume\" already exists (owner carol)");
      assertThat(kube.releases().list("jp-carol-resume")).extracting(r -> r.revision()).containsExactly(1);
      stacks.destroy("carol-resume").call();
    }

    private static Candidate candidateOf(String version) {
      return l3().listCandidates().stream().filter(c -> c.change().to().equals(version)).findFirst().orElseThrow();
    }
  }

  /** The steps called, in order, returned maps whose keys are the ones their descriptions (and docs) list. */
  static void assertResultsAsDocumented(JenkinsPipeline build, String... steps) {
    assertThat(build.stepResults).extracting(Map.Entry::getKey).containsExactly(steps);
    for (Map.Entry<String, Map<String, Object>> result : build.stepResults) {
      assertThat(result.getValue().keySet()).as(result.getKey()).isSubsetOf(documented(result.getKey()));
    }
  }

  static List<String> documented(String step) {
    return Steps.description(step).returns().stream().map(f -> f.name()).toList();
  }

  /**
   * The kubeconfig's credentials, the age key and the registries' passwords were handed to the steps as secrets: none
   * reaches the log, the build's error, a step's result, the status report (text, page, JSON) or a file left in the
   * workspace, its temporary folder or the JVM's temporary folder.
   */
  static void assertNoSecretIn(JenkinsPipeline build) {
    List<String> secrets = new java.util.ArrayList<>(List.of(images.password(), chartRegistry.password(),
        ageKey.lines().filter(l -> l.startsWith("AGE-SECRET-KEY")).findFirst().orElseThrow()));
    kubeconfigText.lines().filter(l -> l.contains("client-key-data") || l.contains("token:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).forEach(secrets::add);
    String shown = build.logText() + "\n" + build.error() + "\n" + build.stepResults + "\n" + statusOutput();
    for (String secret : secrets) {
      assertThat(shown).doesNotContain(secret);
    }
    Path workspace = build.workspace();
    for (Path tree : List.of(workspace, workspace.resolveSibling(workspace.getFileName() + "@tmp"),
        Path.of(System.getProperty("java.io.tmpdir")))) {
      assertNoRegistryPasswordIn(tree);
    }
  }

  /** What the status command, the status page and its JSON show of the installation now. */
  static String statusOutput() {
    try (Session session = jenkins.forBuild().toInstallation()
        .open(SessionEnvironment.of(System.getenv(), Path.of(System.getProperty("user.home"))))) {
      StatusReport report = session.status().call();
      return StatusText.render(report) + StatusHtml.page(report, 0) + report.toMap();
    }
  }

  /** No file under {@code tree} (the registries' own storage aside) holds either registry password. */
  static void assertNoRegistryPasswordIn(Path tree) {
    if (!Files.isDirectory(tree)) {
      return;
    }
    byte[][] canaries = {images.password().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        chartRegistry.password().getBytes(java.nio.charset.StandardCharsets.UTF_8)};
    try {
      // Other processes (the node, the registries) write under the temporary folder meanwhile: what vanishes is skipped.
      Files.walkFileTree(tree, new java.nio.file.SimpleFileVisitor<>() {
        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attributes)
            throws IOException {
          // The API server's store holds the stacks' pull secrets, as the cluster is meant to.
          if (attributes.isRegularFile() && attributes.size() < 50_000_000 && !file.toString().contains("/etcd/")) {
            byte[] content;
            try {
              content = Files.readAllBytes(file);
            } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException gone) {
              return java.nio.file.FileVisitResult.CONTINUE;
            }
            for (byte[] canary : canaries) {
              assertThat(indexOf(content, canary)).as("a registry password in " + file).isNegative();
            }
          }
          return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
          return java.nio.file.FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOf(byte[] content, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= content.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (content[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The per-call private folders (kubeconfig credential, policy) and the body's kubeconfig are gone. */
  static void assertNothingLeftIn(Path workspace) {
    Path tmp = workspace.resolveSibling(workspace.getFileName() + "@tmp");
    if (Files.exists(tmp)) {
      try (Stream<Path> left = Files.list(tmp)) {
        assertThat(left.toList()).as("left in " + tmp).isEmpty();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static void copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
