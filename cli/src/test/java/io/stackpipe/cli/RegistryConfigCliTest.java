package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.registry.PrivateRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --registry-config FILE}: a Docker config file's credentials for a registry that requires Basic. */
class RegistryConfigCliTest {

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

  Path config(String password) throws IOException {
    Path file = work.resolve("registry-" + UUID.randomUUID() + ".json");
    Files.writeString(file, "{\"auths\": {\"" + registry.host() + "\": {\"auth\": \"" + Base64.getEncoder()
        .encodeToString(("ci:" + password).getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    return file;
  }

  CliRun build(Path config) {
    Path billing = TestFiles.copyTree(CliRun.repoRoot().resolve("examples/services/billing"),
        work.resolve("billing-" + UUID.randomUUID()));
    return CliRun.run("chart", "build", billing.toString(), "--push", registry.ociUrl("cli-auth"),
        "--registry-config", config.toString(), "--out", work.resolve("out").toString());
  }

  @Test
  void aDockerConfigFilePushesToARegistryThatRequiresBasic() throws IOException {
    CliRun run = build(config(registry.password()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("billing 0.1.0 published to " + registry.ociUrl("cli-auth") + "/billing:0.1.0");
    assertThat(run.out() + run.err()).doesNotContain(registry.password());
  }

  @Test
  void aWrongPasswordIsOneLineNamingTheFile() throws IOException {
    String wrong = "wrong-" + UUID.randomUUID();
    Path config = config(wrong);

    CliRun run = build(config);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().filter(l -> l.startsWith("stackpipe:")).toList()).containsExactly(
        "stackpipe: registry " + registry.host() + " refused GET on cli-auth/billing (HTTP 401) with the credential"
            + " from registryConfig " + config + " (auths): check its user, password and rights on cli-auth/billing");
    assertThat(run.err() + run.out()).doesNotContain(wrong).doesNotContain("\tat ");
  }

  @Test
  void aFileThatIsNotThereIsNamedWithItsOption() {
    CliRun run = build(work.resolve("absent.json"));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("stackpipe: --registry-config: " + work.resolve("absent.json") + ": no such file");
  }

  @Test
  void theHelpSaysWhereCredentialsComeFromInOrder() {
    CliRun run = CliRun.run("chart", "build", "--help");

    assertThat(run.out().replaceAll("\\s+", " ")).contains("Per registry host, credentials come from"
        + " --registry-config, then $DOCKER_CONFIG/config.json or ~/.docker/config.json, then Helm's registry config"
        + " (~/.config/helm/registry/config.json), else none (anonymous).");
  }
}
