package io.stackpipe.deploy.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.testsupport.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The values a packaged profile deploys with: layered in memory from the artifact alone. */
public class ProfileValuesTest {

  static final Path ROOT = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
  static final Path DEMO_KEY = ROOT.resolve("examples/keys/demo-age-key.txt");

  @TempDir
  static Path work;
  static Path artifact;

  @BeforeAll
  static void buildOrders() {
    Path source = TestFiles.copyTree(ROOT.resolve("examples/services/orders"), work.resolve("orders"));
    artifact = ChartBuild.of(source).withVersion("1.4.0").withOutputDirectory(work.resolve("out")).call().artifact();
  }

  public static SecretKeys demoKeys() {
    return SecretKeys.fromEnvironment(SecretsEnvironment.of(Map.of("SOPS_AGE_KEY_FILE", DEMO_KEY.toString()), null));
  }

  @Test
  void layersProfileValuesThenDecryptedSecretsThenOverridesWithoutPrintingASecret() {
    LayeredValues layered = ProfileValues.of(artifact, "qa1").withSecretKeys(demoKeys())
        .withOverrides(Map.of("config", Map.of("FEATURE", "on"))).withSet("config.LOG_LEVEL=trace")
        .withSet("replicaCount=1").withSet("a\\.b.c=null").call();

    assertThat(layered.layers()).containsExactly("profiles/qa1/values.yaml", "profiles/qa1/secrets.yaml (decrypted)",
        "overrides");
    assertThat(layered.values()).containsEntry("replicaCount", 1L)
        .containsEntry("ingress", Map.of("host", "orders.qa1.example.com"))
        .containsEntry("config", Map.of("LOG_LEVEL", "trace", "FEATURE", "on"));
    assertThat(layered.values().get("a.b")).isEqualTo(java.util.Collections.singletonMap("c", null));
    @SuppressWarnings("unchecked")
    Map<String, Object> secrets = (Map<String, Object>) layered.values().get("secrets");
    assertThat(secrets).containsOnlyKeys("databasePassword", "apiToken");
    assertThat(layered.secretValues()).containsExactlyInAnyOrderElementsOf(secrets.values().stream().map(String::valueOf).toList())
        .allSatisfy(v -> assertThat(v).endsWith("-qa1"));
    String secret = layered.secretValues().iterator().next();
    assertThat(layered.toString()).doesNotContain(secret).contains("****");
    assertThat(layered.mask("helm said " + secret)).isEqualTo("helm said ****");
    assertThat(layered.masked(new IllegalStateException("bad " + secret))).hasMessage("bad ****").hasNoCause();
  }

  @Test
  void theValuesFileHelmReadsIsPrivateAndGoneAfterwards() throws IOException {
    LayeredValues layered = ProfileValues.of(artifact, "qa1").withSecretKeys(demoKeys()).call();
    Path[] seen = new Path[1];
    String content = layered.withValuesFile(file -> {
      seen[0] = file;
      try {
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
        return Files.readString(file);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertThat(content).contains(layered.secretValues().iterator().next());
    assertThat(seen[0]).doesNotExist();
    assertThat(seen[0].getParent()).doesNotExist();
  }

  @Test
  void withoutSecretsTheResultSaysTheyWereLeftOut() {
    LayeredValues layered = ProfileValues.of(artifact, "ephemeral").withoutSecrets().call();
    assertThat(layered.secretsSkipped()).isTrue();
    assertThat(layered.values()).doesNotContainKey("secrets");
    assertThat(ProfileValues.of(artifact, "production").call().secretsSkipped()).as("no secrets.yaml").isFalse();
  }

  @Test
  void refusalsAreOneLineAndNameTheProfileOrTheKey() {
    assertThatThrownBy(() -> ProfileValues.of(artifact, "staging").call())
        .isInstanceOfSatisfying(StackpipeException.class, e -> assertThat(e.field()).contains("profile"))
        .hasMessage("no profile staging in orders-1.4.0.tgz (it has profiles ephemeral, production, qa1)");
    assertThatThrownBy(() -> ProfileValues.of(artifact, "qa1").call())
        .hasMessage("profile qa1 of orders-1.4.0.tgz has secrets.yaml: keys to decrypt it are required");
    assertThatThrownBy(() -> ProfileValues.of(artifact, "qa1").withSet("replicaCount").call())
        .hasMessage("'replicaCount' is not key=value");
    // Another age identity than the one the file is encrypted for.
    SecretKeys wrong = SecretKeys.none().withAgeIdentities(List.of(Age.Identity.generate()));
    assertThatThrownBy(() -> ProfileValues.of(artifact, "qa1").withSecretKeys(wrong).call())
        .isInstanceOf(StackpipeException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains("secrets.yaml"));
  }
}
