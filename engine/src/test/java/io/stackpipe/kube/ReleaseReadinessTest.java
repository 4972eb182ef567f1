package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helm releases on the real node: installs return once the pods are Ready, the example services serve and reach
 * each other through their Services, and a release that cannot get Ready is taken back with a one-line reason.
 */
@WithNode
class ReleaseReadinessTest {

  private static final Path EXAMPLES = ExampleImages.examples();

  private KubeConnection kube;
  private HelmReleases waiting;

  @BeforeEach
  void connect(@KubeConfigPath Path kubeconfig) {
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    waiting = kube.releases().waitingUpTo(Duration.ofSeconds(60));
  }

  @AfterEach
  void disconnect() {
    kube.close();
  }

  private static Map<String, Object> imageOf(LocalRegistry registry, String service) {
    String image = ExampleImages.image(registry, service);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("image.repository", image.substring(0, image.lastIndexOf(':')));
    values.put("image.tag", image.substring(image.lastIndexOf(':') + 1));
    values.put("ingress.enabled", "false");
    return values;
  }

  @Test
  void installReturnsWhenPodsAreReadyAndTheGatewayReachesOrdersAndBillingThroughTheirServices(
      LocalRegistry registry, KubernetesClient client, @TestNamespace String namespace) throws Exception {
    for (String service : new String[] {"gateway", "orders", "billing"}) {
      waiting.install(service, namespace, EXAMPLES.resolve(service), imageOf(registry, service));
      var deployment = client.apps().deployments().inNamespace(namespace).withName(service).get();
      assertThat(deployment.getStatus().getReadyReplicas()).as(service + " ready when install returns").isEqualTo(1);
    }

    String version = get(kube.services().of("orders", namespace).url() + "/version");
    assertThat(version).contains("\"service\":\"orders\"", "\"version\":\"0.1.0\"", "\"LOG_LEVEL\":\"debug\"");

    // pod -> API server (service-account token) -> ClusterIPs; pod -> Service -> pod for both upstreams
    String summary = get(kube.services().of("gateway", namespace).url() + "/summary");
    assertThat(summary).contains("\"o-1001\"", "\"i-501\"")
        .contains("\"via\":\"" + kube.services().of("orders", namespace).clusterIp() + ":8080\"")
        .contains("\"via\":\"" + kube.services().of("billing", namespace).clusterIp() + ":8081\"");
  }

  @Test
  void theCanarySecretReachesThePodsEnvironmentButNoLogOrOutput(LocalRegistry registry, KubernetesClient client,
      ControlPlane plane, @TestNamespace String namespace, @TempDir Path dir) throws Exception {
    String canary = "canary-" + System.nanoTime();
    Path secrets = Files.writeString(dir.resolve("secrets.yaml"), "secrets:\n  apiToken: " + canary + "\n");
    Map<String, Object> image = imageOf(registry, "orders");
    Path values = Files.writeString(dir.resolve("values.yaml"), "image:\n  repository: " + image.get("image.repository")
        + "\n  tag: " + image.get("image.tag") + "\ningress:\n  enabled: false\n");

    var release = waiting.install("orders", namespace, EXAMPLES.resolve("orders"), java.util.List.of(values, secrets));

    String digests = get(kube.services().of("orders", namespace).url() + "/secrets");
    assertThat(digests).contains("\"apiToken\":\"sha256:" + sha256(canary) + "\"").doesNotContain(canary);
    assertThat(release.toString()).doesNotContain(canary);
    String pod = client.pods().inNamespace(namespace).withLabel("app.kubernetes.io/name", "orders").list()
        .getItems().get(0).getMetadata().getName();
    String log = client.pods().inNamespace(namespace).withName(pod).getLog();
    assertThat(log).contains("orders 0.1.0 listening on :8080").doesNotContain(canary);
    try (var logs = Files.list(plane.directory().resolve("logs"))) { // every daemon's log, kubelet's included
      assertThat(logs.toList()).isNotEmpty().allSatisfy(file ->
          assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(canary));
    }
  }

  @Test
  void aMissingImageFailsNamingImagePullBackOffAndUninstalls(LocalRegistry registry, @TestNamespace String namespace) {
    Map<String, Object> values = imageOf(registry, "orders");
    values.put("image.repository", registry.host() + "/services/no-such-image");

    assertThatThrownBy(() -> waiting.install("orders", namespace, EXAMPLES.resolve("orders"), values))
        .isInstanceOf(KubeException.class)
        .hasMessageMatching("helm install orders in namespace " + namespace + ": pod orders-[a-z0-9]+-[a-z0-9]+: "
            + "container orders ImagePullBackOff \\(image " + registry.host() + "/services/no-such-image:test\\); "
            + "uninstalled")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(kube.releases().list(namespace)).isEmpty();
  }

  @Test
  void aCrashingContainerFailsNamingCrashLoopBackOff(LocalRegistry registry, @TestNamespace String namespace) {
    Map<String, Object> values = imageOf(registry, "orders");
    values.put("config.PAYMENT_TIMEOUT_SECONDS", "soon"); // orders exits 1 on a timeout that is not a number

    assertThatThrownBy(() -> waiting.install("orders", namespace, EXAMPLES.resolve("orders"), values))
        .hasMessageMatching("helm install orders in namespace " + namespace + ": pod orders-[a-z0-9]+-[a-z0-9]+: "
            + "container orders CrashLoopBackOff \\(exit code 1, [0-9]+ restarts\\); uninstalled");
  }

  @Test
  void anUpgradeWhoseProbeFailsRollsBackNamingTheProbeFailure(LocalRegistry registry, @TestNamespace String namespace) throws Exception {
    waiting.install("orders", namespace, EXAMPLES.resolve("orders"), imageOf(registry, "orders"));
    Map<String, Object> wrongImage = imageOf(registry, "orders");
    wrongImage.putAll(Map.of("image.repository", imageOf(registry, "billing").get("image.repository"))); // serves 8081

    assertThatThrownBy(() -> kube.releases().waitingUpTo(Duration.ofSeconds(8))
        .upgrade("orders", namespace, EXAMPLES.resolve("orders"), wrongImage))
        .hasMessageMatching("helm upgrade orders in namespace " + namespace + ": not Ready after 8 s: deployment "
            + "orders [0-9]/1 ready; pod orders-[a-z0-9]+-[a-z0-9]+: Unhealthy: Readiness probe failed: .*"
            + "; rolled back to revision 1");
    assertThat(kube.releases().status("orders", namespace).revision()).isEqualTo(3);
    assertThat(get(kube.services().of("orders", namespace).url() + "/version")).contains("\"service\":\"orders\"");
  }

  @Test
  void anUpgradeWhoseWaitIsAbortedIsRolledBackAndSaysSo(LocalRegistry registry, @TestNamespace String namespace)
      throws Exception {
    waiting.install("orders", namespace, EXAMPLES.resolve("orders"), imageOf(registry, "orders"));
    Map<String, Object> unschedulable = imageOf(registry, "orders");
    unschedulable.put("resources.requests.cpu", "64"); // never scheduled: the wait goes on until stopped
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread upgrading = new Thread(() -> {
      try {
        kube.releases().waitingUpTo(Duration.ofMinutes(2)).upgrade("orders", namespace, EXAMPLES.resolve("orders"),
            unschedulable);
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    upgrading.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (kube.releases().history("orders", namespace).size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }

    upgrading.interrupt(); // Jenkins' stop: the thread waiting for Ready pods is interrupted
    upgrading.join(Duration.ofSeconds(60).toMillis());

    assertThat(upgrading.isAlive()).isFalse();
    assertThat(failure.get()).isInstanceOf(KubeException.class).hasMessage("helm upgrade orders in namespace "
        + namespace + ": interrupted while waiting for release orders to be Ready; rolled back to revision 1");
    assertThat(kube.releases().history("orders", namespace)).extracting(HelmReleases.Revision::description)
        .last().isEqualTo("Rollback to 1");
    assertThat(kube.releases().status("orders", namespace).status()).isEqualTo("deployed");
  }

  /**
   * GET from the machine through kube-proxy. Its rules follow a new endpoint a moment after the endpoint is ready
   * (measured: up to about 0.7 s), for the gateway's calls to its upstreams too: retried for a few seconds, each
   * attempt on a fresh connection (one opened before the rule existed keeps reaching whatever answered then, here
   * the machine's outbound proxy with a 404).
   */
  private static String get(String url) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      try {
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
            .send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 || System.nanoTime() > deadline) {
          assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(200);
          return response.body();
        }
      } catch (java.net.ConnectException refused) {
        if (System.nanoTime() > deadline) {
          throw refused;
        }
      }
      Thread.sleep(100);
    }
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
