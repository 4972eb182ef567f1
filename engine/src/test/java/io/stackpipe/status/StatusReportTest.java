package io.stackpipe.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.kube.KubeRequests;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.stack.Stack;
import io.stackpipe.testsupport.Stress;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.registry.RegistryExtension;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The status report on the real control plane, its stacks and releases made through the engine. */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class StatusReportTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path work;
  static String charts;

  @BeforeAll
  static void publish(LocalRegistry registry) {
    charts = StatusFixture.publishCharts(registry, work);
  }

  @Test
  void reportsL3StacksServicesAndDriftAheadBehindMissingExtraWithProductionAsTheHeadline(
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns, KubernetesClient admin) throws IOException {
    try (StatusFixture f = new StatusFixture(kubeconfig, ns, admin)) {
      f.createStacks(charts);
      f.createL3(charts, ns);
      StatusReport report = f.report();

      assertThat(report.installation()).isEqualTo(ns);
      assertThat(report.l3().promotedBy()).isEqualTo("carol");
      assertThat(report.l3().promotedAt()).isEqualTo(f.now.minus(Duration.ofDays(1)));
      assertThat(report.l3().promotedFrom()).startsWith("c");
      assertThat(report.l3().version()).startsWith("2.0.0-" + report.l3().promotedFrom());
      assertThat(report.l3().services()).containsEntry("orders", "1.1.0");
      assertThat(report.stacks()).extracting(s -> s.stack().name()).containsExactly("pr-7", "prod", "qa");

      StatusReport.StackStatus prod = stack(report, "prod");
      assertThat(prod.drift()).containsExactly(new Drift("gateway", Drift.Kind.BEHIND, "1.0.0", "1.1.0"));
      assertThat(report.production()).containsExactly(prod);

      StatusReport.StackStatus qa = stack(report, "qa");
      assertThat(qa.drift()).containsExactly(new Drift("billing", Drift.Kind.MISSING, null, "2.0.0"),
          new Drift("gateway", Drift.Kind.MISSING, null, "1.1.0"),
          new Drift("orders", Drift.Kind.BEHIND, "1.0.0", "1.1.0"));
      assertThat(qa.services()).singleElement().satisfies(s -> {
        assertThat(s.service()).isEqualTo("orders");
        assertThat(s.version()).isEqualTo("1.0.0");
        assertThat(s.profile()).isEqualTo("qa1");
        assertThat(s.status()).isEqualTo("deployed");
        assertThat(s.revision()).isEqualTo(1);
        assertThat(s.digest()).startsWith("sha256:");
        assertThat(s.deployedBy()).isEqualTo("alice");
      });
      assertThat(qa.stack().owner()).isEqualTo("alice");
      assertThat(qa.stack().reapAt()).as("persistent: never reaped").isNull();

      StatusReport.StackStatus pr = stack(report, "pr-7");
      assertThat(pr.drift()).extracting(Drift::service, Drift::kind).containsExactly(
          org.assertj.core.groups.Tuple.tuple("billing", Drift.Kind.MISSING),
          org.assertj.core.groups.Tuple.tuple("gateway", Drift.Kind.MISSING),
          org.assertj.core.groups.Tuple.tuple("orders", Drift.Kind.AHEAD),
          org.assertj.core.groups.Tuple.tuple("search", Drift.Kind.EXTRA));
      assertThat(pr.stack().idle()).isEqualTo(Duration.ofHours(4));
      assertThat(pr.stack().reapAt()).isEqualTo(pr.stack().lastActivity().plus(Duration.ofDays(7)));

      assertThat(report.candidates()).extracting(StatusReport.Candidate::service, StatusReport.Candidate::to,
          StatusReport.Candidate::verdict, StatusReport.Candidate::createdBy, StatusReport.Candidate::stack,
          StatusReport.Candidate::reason).containsExactlyInAnyOrder(
          org.assertj.core.groups.Tuple.tuple("orders", "1.1.0", "promoted", "carol", null, null),
          org.assertj.core.groups.Tuple.tuple("orders", "1.2.0", "pending", "bob", "pr-7", null),
          org.assertj.core.groups.Tuple.tuple("orders", "1.0.0", "rejected", "dave", null, "a downgrade"));
      assertThat(report.candidates()).filteredOn(c -> c.stack() != null).singleElement()
          .satisfies(c -> assertThat(c.duration()).isEqualTo(Duration.ofSeconds(42)));
      assertThat(report.history()).extracting(StatusReport.HistoryEntry::kind, StatusReport.HistoryEntry::stack,
          StatusReport.HistoryEntry::service).containsExactly(
          org.assertj.core.groups.Tuple.tuple("deploy", "pr-7", "orders"),
          org.assertj.core.groups.Tuple.tuple("deploy", "pr-7", "search"),
          org.assertj.core.groups.Tuple.tuple("promotion", null, "orders"),
          org.assertj.core.groups.Tuple.tuple("promotion", null, null),
          org.assertj.core.groups.Tuple.tuple("deploy", "qa", "orders"),
          org.assertj.core.groups.Tuple.tuple("deploy", "prod", "billing"),
          org.assertj.core.groups.Tuple.tuple("deploy", "prod", "gateway"),
          org.assertj.core.groups.Tuple.tuple("deploy", "prod", "orders"));
      assertThat(report.history()).filteredOn(h -> h.kind().equals("promotion")).extracting(
          StatusReport.HistoryEntry::by).containsExactly("carol", "carol");

      String json = JSON.writeValueAsString(report.toMap());
      assertThat(schemaErrors(json)).isEmpty();
      assertThat(schemaErrors(json.replace("\"behind\"", "\"sideways\""))).as("the schema does check").isNotEmpty();
      JsonNode tree = JSON.readTree(json);
      assertThat(tree.at("/production/0/drift/0/kind").asText()).isEqualTo("behind");
      assertThat(tree.at("/stacks/0/services/0/drift").asText()).isEqualTo("ahead");

      String text = StatusText.render(report);
      assertThat(text).contains("production prod: 1 service(s) differ from L3: ↓ behind gateway 1.0.0 < L3 1.1.0")
          .contains("+ extra search 0.1.0 (not in L3)").contains("− missing billing (L3 2.0.0)");
      String html = StatusHtml.page(report, 0);
      assertThat(html).contains("class=\"sp-drift sp-drift-ahead\"").contains("class=\"sp-drift sp-drift-extra\"");
    }
  }

  @Test
  void aCanarySecretDeployedThroughAProfileNeverAppearsInJsonHtmlOrTerminalOutput(
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns, KubernetesClient admin) throws IOException {
    try (StatusFixture f = new StatusFixture(kubeconfig, ns, admin)) {
      f.createStacks(charts);
      String namespace = f.prefix + "qa";
      String live = new String(java.util.Base64.getDecoder().decode(
          admin.secrets().inNamespace(namespace).withName("orders").get().getData().values().iterator().next()),
          StandardCharsets.UTF_8);
      assertThat(live).as("the canary really was deployed").startsWith(StatusFixture.CANARY);

      StatusReport report = f.report();
      List<String> outputs = List.of(JSON.writeValueAsString(report.toMap()), StatusText.render(report),
          StatusHtml.page(report, 30), report.toString());
      assertThat(outputs).allSatisfy(out -> assertThat(out).doesNotContain(StatusFixture.CANARY)
          .doesNotContain("CANARY"));
    }
  }

  @Test
  void theReportMakesTheSameRequestsFor3StacksAsFor30(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) throws Exception {
    sameRequestsFor3StacksAsFor(30, kubeconfig, ns, admin);
  }

  /** Ten times the stacks (and namespaces to create and finalize) of its twin above, for the full run. */
  @Test
  @Stress
  void theReportMakesTheSameRequestsFor3StacksAsFor300(@KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) throws Exception {
    sameRequestsFor3StacksAsFor(300, kubeconfig, ns, admin);
  }

  private void sameRequestsFor3StacksAsFor(int many, Path kubeconfig, String ns, KubernetesClient admin)
      throws Exception {
    try (StatusFixture f = new StatusFixture(kubeconfig, ns, admin)) {
      f.createL3(charts, ns);
      seed(admin, f, 0, 3);
      Counted small = counted(f, admin);
      seed(admin, f, 3, many);
      Counted large = counted(f, admin);

      assertThat(small.report.stacks()).hasSize(3);
      assertThat(large.report.stacks()).hasSize(many).allSatisfy(s -> assertThat(s.services()).hasSize(20));
      assertThat(large.report.l3()).isNotNull();
      assertThat(large.report.stacks().get(0).drift()).hasSize(23); // 20 extra, 3 missing
      assertThat(large.requests).as("every request of the engine's connection (sent in parallel: any order)")
          .hasSameSizeAs(small.requests).extracting(r -> r.method() + " " + r.path())
          .containsExactlyInAnyOrderElementsOf(small.requests.stream().map(r -> r.method() + " " + r.path()).toList());
      assertThat(small.requests).extracting(KubeRequests.Request::path).anySatisfy(p -> assertThat(p)
          .startsWith("/api/v1/namespaces?labelSelector=")).anySatisfy(p -> assertThat(p)
          .startsWith("/api/v1/configmaps?labelSelector="));
      assertThat(small.requests).as("the stacks' and records' LISTs, the L3 pointer and candidates").hasSize(5);
      assertThat(large.clusterLists).as("cluster-wide LISTs the API server counted (its /metrics)")
          .isEqualTo(small.clusterLists).isEqualTo(2);
    }
  }

  record Counted(StatusReport report, List<KubeRequests.Request> requests, long clusterLists) {}

  private static Counted counted(StatusFixture f, KubernetesClient admin) {
    long before = clusterLists(admin);
    f.requests.clear();
    StatusReport report = f.report();
    List<KubeRequests.Request> sent = f.requests.all();
    return new Counted(report, sent, clusterLists(admin) - before);
  }

  /** The API server's own count of cluster-scoped LISTs (every client: nothing hides behind the engine's). */
  private static long clusterLists(KubernetesClient admin) {
    String metrics = admin.raw("/metrics");
    long sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("apiserver_request_total{") && line.contains("verb=\"LIST\"")
          && line.contains("scope=\"cluster\"") && !line.contains("resource=\"events\"")) {
        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Stacks [from, to) straight into the cluster: a namespace each with a record of 20 services. */
  static void seed(KubernetesClient admin, StatusFixture f, int from, int to) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = from; i < to; i++) {
        int n = i;
        done.add(pool.submit(() -> {
          String name = String.format(Locale.ROOT, "s%03d", n);
          String namespace = f.prefix + name;
          admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
              .addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).addToLabels(Stack.NAME_LABEL, name)
              .addToLabels(Stack.TYPE_LABEL, "ephemeral").addToLabels(Stack.INSTALLATION_LABEL, f.installation)
              .addToAnnotations(Map.of(Stack.OWNER, "owner-" + n % 7, Stack.CREATED, f.t0.toString(),
                  Stack.LAST_ACTIVITY, f.t0.toString(), Stack.LAST_ACTIVITY_KIND, "create"))
              .endMetadata().build()).create();
          List<DeployedServices.Service> services = new ArrayList<>();
          for (int s = 0; s < 20; s++) {
            services.add(new DeployedServices.Service("svc-" + s, "svc-" + s, "1." + s + ".0", "sha256:" + "0".repeat(64),
                "ephemeral", 1, "deployed", false, f.t0.toString(), "owner-" + n % 7));
          }
          admin.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
              .withName(DeployedServices.NAME).addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY)
              .addToLabels(Stack.INSTALLATION_LABEL, f.installation)
              .addToLabels(DeployedServices.RECORD_LABEL, DeployedServices.RECORD).endMetadata()
              .addToData(DeployedServices.DATA_KEY, JSON.writeValueAsString(services)).build()).create();
          return null;
        }));
      }
      for (Future<?> d : done) {
        d.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static StatusReport.StackStatus stack(StatusReport report, String name) {
    return report.stacks().stream().filter(s -> s.stack().name().equals(name)).findFirst().orElseThrow();
  }

  /** The report's JSON checked against docs/status.schema.json: the errors, none when valid. */
  static Set<ValidationMessage> schemaErrors(String json) throws IOException {
    try (InputStream schemaFile = Files.newInputStream(StatusFixture.ROOT.resolve("docs/status.schema.json"))) {
      JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaFile);
      return schema.validate(JSON.readTree(json));
    }
  }
}
