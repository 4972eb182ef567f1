package io.stackpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.deploy.values.ProfileValuesTest;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.PullSecrets;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithNode;
import io.stackpipe.testsupport.registry.PrivateRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service whose image lives in a registry that requires Basic authentication: with the installation's credential
 * its stack gets a pull secret and the node pulls the image; without it the deploy fails at once on the pod's
 * ImagePullBackOff. The password is a canary no progress line, result or message may hold.
 */
@WithNode
class PrivateImagesTest {

  @TempDir
  static Path work;
  static PrivateRegistry basic;
  static RegistryAuth auth;
  static String privateCharts;
  static String publicCharts;
  static String registryHost;
  static String exampleImage;

  KubeConnection kube;
  Stacks stacks;
  List<String> progress = new ArrayList<>();

  @BeforeAll
  static void privateImage(LocalRegistry registry, ControlPlane plane) throws IOException {
    basic = PrivateRegistry.basic();
    plane.trustRegistry(basic.host());
    auth = RegistryAuth.of(List.of(RegistryAuth.explicit(Map.of(basic.host(), RegistryCredential.password(basic.user(),
        Secret.of(basic.password()), "installation registryCredentials for " + basic.host())), "installation")));
    registryHost = registry.host();
    exampleImage = ExampleImages.image(registry, "orders");
    OciRegistry from = new OciRegistry(registry.host(), true);
    OciRegistry to = new OciRegistry(basic.host(), true, auth);
    copyImage(from, ExampleImages.image(registry, "orders"), to, "services/orders", "private", null);
    // An image of its own for the refusal, so that no earlier pull left it on the node.
    copyImage(from, ExampleImages.image(registry, "orders"), to, "services/orders", "unpulled",
        UUID.randomUUID().toString());
    Path source = TestFiles.copyTree(ExampleImages.examples().resolve("orders"), work.resolve("src/orders"));
    privateCharts = basic.ociUrl("charts");
    publicCharts = registry.ociUrl("private-image-charts-" + UUID.randomUUID().toString().substring(0, 8));
    ChartBuild.of(source).withVersion("1.0.0").withImage(basic.host() + "/services/orders:private")
        .withRegistryAuth(auth).pushTo(privateCharts).withOutputDirectory(work.resolve("out-private")).call();
    ChartBuild.of(source).withVersion("1.0.0").withImage(basic.host() + "/services/orders:unpulled")
        .withRegistryAuth(auth).pushTo(publicCharts).withOutputDirectory(work.resolve("out-public")).call();
  }

  @AfterAll
  static void stop() {
    basic.close();
  }

  @BeforeEach
  void stacks(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    kube = KubeConnection.fromKubeconfig(kubeconfig, null);
    stacks = Stacks.on(kube, ns).withNamespacePrefix(ns + "-");
  }

  @AfterEach
  void destroyStacks() {
    try {
      stacks.list(null).stacks().forEach(s -> stacks.destroy(s.name()));
    } finally {
      kube.close();
    }
  }

  Deploy deploy(String stack, String charts, RegistryAuth with) {
    stacks.create(stack).withOwner("alice").withType(StackType.PERSISTENT).call();
    return Deploy.onto(stacks, stack).withChart(ChartSource.oci(charts + "/orders:1.0.0")).withProfile("ephemeral")
        .withSecretKeys(ProfileValuesTest.demoKeys()).withDeployer("alice", Set.of())
        .withTimeout(Duration.ofMinutes(2)).withRegistryAuth(with).withProgress(progress::add);
  }

  @Test
  void withTheCredentialTheStackGetsAPullSecretAndItsPodsRun(KubernetesClient admin) throws IOException {
    DeployResult result;
    try {
      result = deploy("private", privateCharts, auth).call();
    } catch (StackpipeException e) {
      // The kubelet's own words (the pull error) say more than ImagePullBackOff.
      String namespace = stacks.show("private").namespace();
      throw new AssertionError(e.getMessage() + "; events: " + admin.v1().events().inNamespace(namespace).list()
          .getItems().stream().map(event -> event.getReason() + ": " + event.getMessage()).toList()
          + "; pods' pull secrets: " + admin.pods().inNamespace(namespace).list().getItems().stream()
          .map(pod -> pod.getSpec().getImagePullSecrets()).toList(), e);
    }

    assertThat(result.status()).isEqualTo("deployed");
    String namespace = result.namespace();
    assertThat(admin.pods().inNamespace(namespace).list().getItems()).isNotEmpty()
        .allSatisfy(pod -> assertThat(pod.getSpec().getImagePullSecrets()).extracting("name")
            .contains(PullSecrets.NAME));
    JsonNode config = new ObjectMapper().readTree(java.util.Base64.getDecoder().decode(
        admin.secrets().inNamespace(namespace).withName(PullSecrets.NAME).get().getData().get(".dockerconfigjson")));
    assertThat(config.path("auths").fieldNames()).toIterable().containsExactly(basic.host());
    assertThat(progress).contains("pull secret " + PullSecrets.NAME + " for " + basic.host())
        .noneMatch(line -> line.contains(basic.password()));
    assertThat(result.toMap().toString()).doesNotContain(basic.password());
  }

  @Test
  void aChartWithItsOwnImagePullSecretsValueGetsTheSecretThereForPodsOfAnotherAccount(KubernetesClient admin)
      throws IOException {
    // Pods that run as an account of the chart's own: the default account's pull secret does not reach them.
    Path source = TestFiles.copyTree(ExampleImages.examples().resolve("orders"), work.resolve("src/own-value"));
    Files.writeString(source.resolve("values.yaml"), Files.readString(source.resolve("values.yaml"))
        + "\nimagePullSecrets: []\n");
    Files.writeString(source.resolve("templates/serviceaccount.yaml"), """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: puller
        """);
    Path deployment = source.resolve("templates/deployment.yaml");
    String template = Files.readString(deployment);
    assertThat(template).contains("    spec:\n      containers:\n");
    Files.writeString(deployment, template.replace("    spec:\n      containers:\n", """
            spec:
              serviceAccountName: puller
              {{- with .Values.imagePullSecrets }}
              imagePullSecrets:
                {{- toYaml . | nindent 8 }}
              {{- end }}
              containers:
        """));
    // An image of its own, so that no earlier pull left it on the node.
    OciRegistry to = new OciRegistry(basic.host(), true, auth);
    copyImage(new OciRegistry(registryHost, true), exampleImage, to, "services/orders", "own-value",
        UUID.randomUUID().toString());
    String charts = basic.ociUrl("own-value-charts");
    ChartBuild.of(source).withVersion("1.0.0").withImage(basic.host() + "/services/orders:own-value")
        .withRegistryAuth(auth).pushTo(charts).withOutputDirectory(work.resolve("out-own-value")).call();

    DeployResult result = deploy("own-value", charts, auth).call();

    assertThat(result.status()).isEqualTo("deployed");
    assertThat(result.layers()).contains(PullSecrets.VALUE + " (" + PullSecrets.NAME + ")");
    assertThat(admin.pods().inNamespace(result.namespace()).list().getItems()).isNotEmpty().allSatisfy(pod -> {
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("puller");
      assertThat(pod.getSpec().getImagePullSecrets()).extracting("name").containsExactly(PullSecrets.NAME);
    });
    assertThat(progress).noneMatch(line -> line.contains(basic.password()));
    assertThat(result.toMap().toString()).doesNotContain(basic.password());
  }

  @Test
  void withoutItTheDeployFailsAtOnceOnTheImagePull() {
    assertThatThrownBy(() -> deploy("anonymous", publicCharts, RegistryAuth.anonymous()).call())
        .isInstanceOf(StackpipeException.class)
        .hasMessageContaining("ImagePullBackOff")
        .message().doesNotContain("\n");
  }

  /**
   * Copies an image between registries with the engine's client: config, layers and manifest. With a
   * {@code marker}, the config gets a label of that value, so the copy is an image of its own (another digest).
   */
  static void copyImage(OciRegistry from, String reference, OciRegistry to, String repository, String tag,
      String marker) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    String source = reference.substring(reference.indexOf('/') + 1, reference.lastIndexOf(':'));
    OciRegistry.Manifest manifest = from.pullManifest(source, reference.substring(reference.lastIndexOf(':') + 1))
        .orElseThrow();
    com.fasterxml.jackson.databind.node.ObjectNode json =
        (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(manifest.bytes());
    for (JsonNode layer : json.path("layers")) {
      Path blob = work.resolve("blob-" + UUID.randomUUID());
      from.pullBlob(source, layer.path("digest").asText(), blob);
      to.pushBlob(repository, blob);
    }
    Path config = work.resolve("config-" + UUID.randomUUID());
    from.pullBlob(source, json.path("config").path("digest").asText(), config);
    byte[] configBytes = Files.readAllBytes(config);
    if (marker != null) {
      com.fasterxml.jackson.databind.node.ObjectNode parsed =
          (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(configBytes);
      parsed.with("config").with("Labels").put("stackpipe.test/marker", marker);
      configBytes = mapper.writeValueAsBytes(parsed);
    }
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("config"))
        .put("digest", to.pushBlob(repository, configBytes)).put("size", configBytes.length);
    to.pushManifest(repository, tag, manifest.mediaType(), mapper.writeValueAsBytes(json));
  }
}
