package io.stackpipe.chart;

import static io.stackpipe.chart.Fixtures.exampleService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.local.HelmCli;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.testsupport.registry.PrivateRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * buildChart against a registry that requires Basic authentication: the image's digest resolved and the chart pushed
 * with the installation's credentials by the engine's own client, in the layout Helm reads back. The password is a
 * canary that no message, result or file left behind may hold.
 */
class ChartBuildWithCredentialsTest {

  static PrivateRegistry registry;

  @TempDir
  Path work;

  @BeforeAll
  static void start() {
    registry = PrivateRegistry.basic();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  Installation installation(String charts, String password) {
    return Installation.builder().withCharts(charts).withRegistryCredential(registry.host(), "ci", Secret.of(password))
        .build();
  }

  /** An empty environment: no Docker or Helm config of this machine takes part. */
  SessionEnvironment environment() {
    return SessionEnvironment.of(Map.of(), work.resolve("home"));
  }

  @Test
  void pushesWithTheInstallationsCredentialAndHelmPullsTheResult() throws IOException {
    String charts = registry.ociUrl("t" + UUID.randomUUID().toString().substring(0, 8));
    Installation installation = installation(charts, registry.password());
    OciRegistry images = new OciRegistry(registry.host(), true, installation.registryAuth(environment()));
    String image = registry.host() + "/images/orders:1.0.0";
    String imageDigest = pushImage(images, "images/orders", "1.0.0");
    Path orders = exampleService("orders", work);

    ChartBuildResult result = installation.buildChart(orders, true, environment()).withVersion("1.0.0")
        .withImage(image).withOutputDirectory(work.resolve("out")).call();

    assertThat(result.publication()).isEqualTo(ChartBuildResult.Publication.PUSHED);
    assertThat(result.toMap().toString()).doesNotContain(registry.password()).contains(imageDigest);
    // Helm reads what the engine pushed, with a registry config private to this test.
    Path helmHome = Files.createDirectories(work.resolve("helm-home"));
    Path config = helmHome.resolve("registry.json");
    Files.writeString(config, "{\"auths\": {\"" + registry.host() + "\": {\"auth\": \"" + Base64.getEncoder()
        .encodeToString(("ci:" + registry.password()).getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    new HelmCli(helmHome.resolve("no-kubeconfig"), helmHome).run("pull", charts + "/orders", "--version", "1.0.0",
        "--plain-http", "--registry-config", config.toString(), "-d", Files.createDirectories(work.resolve("pulled")).toString()).orFail();
    assertThat(ChartArchive.contentDigest(work.resolve("pulled/orders-1.0.0.tgz")))
        .isEqualTo(ChartArchive.contentDigest(work.resolve("out/orders-1.0.0.tgz")));
    assertThat(filesHolding(registry.password(), work.resolve("out"), work.resolve("home"))).isEmpty();
    // The pinned image (repository and digest in keys of their own) names the host a stack's pull secret is for.
    assertThat(io.stackpipe.kube.PullSecrets.hosts(ChartArchive.files(work.resolve("out/orders-1.0.0.tgz"))))
        .containsExactly(registry.host());
  }

  @Test
  void aWrongPasswordIsOneLineAndChangesNothing() {
    String charts = registry.ociUrl("t" + UUID.randomUUID().toString().substring(0, 8));
    String wrong = "wrong-" + UUID.randomUUID();

    assertThatThrownBy(() -> installation(charts, wrong).buildChart(exampleService("orders", work), true,
        environment()).withVersion("1.0.0").withOutputDirectory(work.resolve("out")).call())
        .isInstanceOf(StackpipeException.class)
        .hasMessageContaining("registry " + registry.host() + " refused ")
        .hasMessageContaining("with the credential from installation registryCredentials for " + registry.host())
        .message().doesNotContain(wrong).doesNotContain("\n");
    assertThat(new OciRegistry(registry.host(), true, installation(charts, registry.password()).registryAuth(environment()))
        .tags(OciChartTarget.parse(charts).repository("orders"))).isEmpty();
  }

  static String pushImage(OciRegistry registry, String repository, String tag) {
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    byte[] layer = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
    String configDigest = registry.pushBlob(repository, config);
    String layerDigest = registry.pushBlob(repository, layer);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
        + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
        + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}";
    return registry.pushManifest(repository, tag, "application/vnd.oci.image.manifest.v1+json",
        manifest.getBytes(StandardCharsets.UTF_8));
  }

  static List<Path> filesHolding(String secret, Path... roots) throws IOException {
    List<Path> holding = new java.util.ArrayList<>();
    for (Path root : roots) {
      if (!Files.exists(root)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path file : walk.filter(Files::isRegularFile).toList()) {
          if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(secret)) {
            holding.add(file);
          }
        }
      }
    }
    return holding;
  }
}
