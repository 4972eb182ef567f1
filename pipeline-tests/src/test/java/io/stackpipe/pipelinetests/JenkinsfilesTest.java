package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.base.FileTrees;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.kube.KubeConnection;
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
import io.stackpipe.steps.StepSettings;
import io.stackpipe.steps.Steps;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.Going;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.WithNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * The repository's service and job Jenkinsfiles, run through the step layer against the real registry and the real
 * cluster whose node runs the pods: one fixture for the class (the three example services published at 1.0.0, L3
 * initialized from them, the production stack — the pipeline makes qa1 itself —, the installation's settings with
 * the kubeconfig and the age key as secrets and a stack policy).
 *
 * <p>The one substitution: this machine has no buildah, so the service pipeline's image command is carried out by
 * building the same image from the workspace's Go source with jib and pushing it to the same registry.
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
  static LocalRegistry registry;
  static String charts;
  static KubeConnection kube;
  static Stacks stacks;
  static StepSettings settings;
  static String kubeconfigText;
  static String ageKey;

  @BeforeAll
  static void publishTheServicesInitL3AndMakeThePersistentStacks(LocalRegistry localRegistry,
      @KubeConfigPath Path kubeconfig) throws IOException {
    work = Files.createTempDirectory("pipelines-");
    registry = localRegistry;
    charts = registry.ociUrl("pipelines");
    ChartPublish.of(ExampleImages.examples()).withVersion("1.0.0")
        .withImages(service -> ExampleImages.image(registry, service)).pushTo(charts)
        .withOutputDirectory(work.resolve("published")).call();
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    l3().init().withFrom(ServiceVersion.parseList("orders=1.0.0,billing=1.0.0,gateway=1.0.0", "from")).call();
    stacks = Stacks.on(kube, "pipelines").withNamespacePrefix("jp-");
    stacks.create("production").withOwner("ops").withType(StackType.PRODUCTION).call();
    kubeconfigText = Files.readString(kubeconfig);
    ageKey = Files.readString(REPO.resolve("examples/keys/demo-age-key.txt"));
    settings = StepSettings.defaults().withCharts(charts)
        .withKubeconfig(Secret.of(kubeconfigText))
        .withInstallation("pipelines").withNamespacePrefix("jp-")
        .withAgeKey(Secret.of(ageKey))
        .withPolicy(POLICY, "policy.yaml")
        .withTimeout(Duration.ofMinutes(3));
  }

  @AfterAll
  static void cleanUp() {
    if (kube != null) {
      kube.close();
    }
    if (work != null) {
      FileTrees.deleteQuietly(work);
    }
  }

  static L3 l3() {
    return L3.on(kube, charts);
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
    return new JenkinsPipeline(REPO, workspace, settings)
        .withEnv("JOB_NAME", service + "/" + branch).withEnv("BRANCH_NAME", branch).withEnv("BUILD_NUMBER", build)
        .withEnv("BUILD_URL", "https://jenkins.example.com/job/" + service + "/job/" + branch + "/" + build + "/")
        .withEnv("REGISTRY", registry.host())
        .substituting(JenkinsfilesTest::buildah);
  }

  private static final Pattern BUILDAH = Pattern.compile("buildah bud -t (\\S+) \\. && buildah push (\\S+)");

  /** {@code buildah bud -t IMAGE . && buildah push IMAGE}: the same image, from the workspace's Go source, with jib. */
  static boolean buildah(String script, Path directory, Map<String, String> environment, List<String> log) {
    Matcher m = BUILDAH.matcher(script);
    if (!m.matches()) {
      return false;
    }
    assertThat(m.group(2)).as("pushes what it built").isEqualTo(m.group(1));
    String name = environment.get("JOB_NAME").split("/")[0];
    log.add("+ " + script);
    log.add("pushed " + m.group(1) + "@" + GoImages.push(directory.resolve("app"), name, m.group(1)));
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
      ChartBuild.of(billing).withVersion("1.0.1").withImage(ExampleImages.image(registry, "billing"))
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
            .withImage(ExampleImages.image(registry, "gateway")).pushTo(charts)
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

      JenkinsPipeline promoted = new JenkinsPipeline(root, root.resolve("ws-1"), settings)
          .withParam("CANDIDATE", first).run("Jenkinsfile");
      JenkinsPipeline stale = new JenkinsPipeline(root, root.resolve("ws-2"), settings)
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
      JenkinsPipeline bodyless = new JenkinsPipeline(root, root.resolve("ws-3"), settings).run("Bodyless");
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
      StepSettings withRegistryCredential = settings.withRegistryCredential("registry.example.com", "ci",
          Secret.of(registryCanary));

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
  class CreateMyStackJob {

    @Test
    void createsAStackFromL3ForTheUserWhoStartedItAndSaysHowToConnect(KubernetesClient admin) {
      L3Version l3 = currentL3();
      Path workspace = work.resolve("workspace/create-1");

      JenkinsPipeline build = new JenkinsPipeline(REPO, workspace, settings).asUser("carol")
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
          io.stackpipe.steps.StepEnvironment.in(workspace, settings));
      assertThat(touched).containsEntry("lastActivityKind", "touch").containsEntry("owner", "carol");
      Map<String, Object> destroyed = Steps.call("destroyStack", Map.of("name", "carol-dev"),
          io.stackpipe.steps.StepEnvironment.in(workspace, settings));
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

      JenkinsPipeline build = new JenkinsPipeline(REPO, work.resolve("workspace/create-2"), settings).asUser("carol")
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
      JenkinsPipeline build = new JenkinsPipeline(REPO, work.resolve("workspace/create-3"), settings)
          .withParam("STACK_NAME", "erin-dev").withParam("TTL", "a week")
          .run("jobs/create-my-stack.Jenkinsfile");

      assertThat(build.result()).isEqualTo("FAILURE");
      assertThat(build.error()).startsWith("createEphemeralStack: ttl: ").doesNotContain("\n");
      assertThat(admin.namespaces().withName("jp-erin-dev").get()).isNull();
    }

    @Test
    void aMissingStackNameIsRefusedByTheJob() {
      JenkinsPipeline build = new JenkinsPipeline(REPO, work.resolve("workspace/create-4"), settings)
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

      JenkinsPipeline build = new JenkinsPipeline(REPO, workspace, settings).asUser("carol")
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
      StepEnvironment carol = StepEnvironment.in(work.resolve("workspace/resume"), settings)
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

  /** The kubeconfig's credentials and the age key were handed to the steps as secrets: none reaches the log. */
  static void assertNoSecretIn(JenkinsPipeline build) {
    String log = build.logText();
    assertThat(log).doesNotContain(ageKey.lines().filter(l -> l.startsWith("AGE-SECRET-KEY")).findFirst().orElseThrow());
    kubeconfigText.lines().filter(l -> l.contains("client-key-data") || l.contains("token:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim())
        .forEach(secret -> assertThat(log).doesNotContain(secret));
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
