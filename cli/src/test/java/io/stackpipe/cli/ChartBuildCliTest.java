package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.registry.RegistryExtension;
import io.stackpipe.local.registry.LocalImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RegistryExtension.class)
class ChartBuildCliTest {

  @TempDir
  Path work;
  Path billing;

  @BeforeEach
  void copyExample() {
    billing = TestFiles.copyTree(CliRun.repoRoot().resolve("examples/services/billing"), work.resolve("billing"));
  }

  @Nested
  class Success {

    @Test
    void printsJsonWithTheImmutablePairAndExitsZero(LocalRegistry registry) throws IOException {
      String digest = LocalImages.push(registry.host(), "cli/billing", "2.1.0", "billing cli test");

      CliRun run = CliRun.run("chart", "build", billing.toString(), "--version", "2.1.0",
          "--image", registry.host() + "/cli/billing:2.1.0", "--push", registry.ociUrl("cli-charts"),
          "--out", work.resolve("out").toString(), "--json");

      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(run.out());
      assertThat(json.path("name").asText()).isEqualTo("billing");
      assertThat(json.path("version").asText()).isEqualTo("2.1.0");
      assertThat(json.path("image").asText()).isEqualTo(registry.host() + "/cli/billing@" + digest);
      assertThat(json.path("chartDigest").asText()).startsWith("sha256:");
      assertThat(json.path("publication").asText()).isEqualTo("PUSHED");
      assertThat(json.path("profiles")).extracting(JsonNode::asText)
          .containsExactly("ephemeral", "production", "qa1");
      assertThat(Path.of(json.path("artifact").asText())).exists();
      assertThat(run.err()).contains("lint (strict): ok", "rendered qa1");
    }

    @Test
    void printsAHumanSummary() {
      CliRun run = CliRun.run("chart", "build", billing.toString(), "--out", work.resolve("out").toString());

      assertThat(run.exitCode()).isZero();
      assertThat(run.out()).startsWith("billing 0.1.0 packaged (not pushed)")
          .contains("chart digest: sha256:", "profiles:     ephemeral, production, qa1");
    }
  }

  @Nested
  class Failure {

    @Test
    void aRefusalIsOneLineAndExitsOne() throws IOException {
      Files.writeString(billing.resolve("profiles/qa1/secrets.yaml"), "password: canary-Xy7Q\n");

      CliRun run = CliRun.run("chart", "build", billing.toString(), "--out", work.resolve("out").toString());

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err().lines().filter(l -> l.startsWith("stackpipe:")).toList()).containsExactly(
          "stackpipe: profiles/qa1/secrets.yaml: not SOPS-encrypted (no sops metadata) in profile qa1:"
              + " encrypt it with 'stackpipe secrets encrypt', a plaintext secret must never be published");
      assertThat(run.err() + run.out()).doesNotContain("canary-Xy7Q").doesNotContain("\tat ");
      assertThat(work.resolve("out")).doesNotExist();
    }

    @Test
    void verbosePrintsTheDetails() throws IOException {
      Files.writeString(billing.resolve("Chart.yaml"), "apiVersion: v2\nname: billing\nversion: one\n");

      CliRun run = CliRun.run("chart", "build", billing.toString(), "--verbose");

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err()).startsWith("stackpipe: Chart.yaml: field version 'one' is not SemVer 2")
          .contains("\tat io.stackpipe.chart.ChartMetadata");
    }

    @Test
    void aUsageErrorExitsTwo() {
      CliRun run = CliRun.run("chart", "build", billing.toString(), "--no-such-flag");

      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.err()).contains("Unknown option: '--no-such-flag'");
    }

    @Test
    void aMissingDirectoryIsRefused() {
      CliRun run = CliRun.run("chart", "build", work.resolve("nope").toString());

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err()).isEqualTo("stackpipe: " + work.resolve("nope") + ": not a directory" + System.lineSeparator());
    }
  }
}
