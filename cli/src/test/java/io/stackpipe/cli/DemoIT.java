package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command, as a newcomer runs it: bin/stackpipe demo, then again against a lasting cluster. */
@WithControlPlane
class DemoIT {

  private static final long TIMEOUT_MINUTES = 5;

  @Test
  void publishesEveryExampleAndInstallsItIntoARealClusterThenARerunUpgradesInPlace(@TempDir Path work,
      @TempDir Path logs, @KubeConfigPath Path kubeconfig, @TestNamespace String ns) throws Exception {
    // As the README runs it: a control plane of its own for the length of the run.
    JsonNode first = demo(logs.resolve("first"), "--work", work.toString());
    // Then twice against a cluster that outlives the runs: the second run upgrades what the first installed.
    JsonNode second = demo(logs.resolve("second"), "--work", work.toString(), "--kubeconfig", kubeconfig.toString(),
        "--namespace", ns);
    JsonNode third = demo(logs.resolve("third"), "--work", work.toString(), "--kubeconfig", kubeconfig.toString(),
        "--namespace", ns);

    assertThat(first.path("charts")).extracting(c -> c.path("name").asText())
        .containsExactly("billing", "gateway", "orders");
    assertThat(first.path("charts")).allSatisfy(c -> {
      assertThat(c.path("publication").asText()).isEqualTo("PUSHED");
      assertThat(c.path("image").asText()).contains("/services/" + c.path("name").asText() + "@sha256:");
    });
    assertThat(releases(first)).containsExactly(
        "billing ephemeral deployed revision 1", "gateway ephemeral deployed revision 1",
        "orders ephemeral deployed revision 1");
    assertThat(second.path("charts")).allSatisfy(c ->
        assertThat(c.path("publication").asText()).isEqualTo("ALREADY_PUBLISHED"));
    assertThat(second.path("charts").get(0).path("chartDigest")).isEqualTo(first.path("charts").get(0).path("chartDigest"));
    assertThat(second.path("namespace").asText()).isEqualTo(ns);
    assertThat(releases(second)).containsExactly(
        "billing ephemeral deployed revision 1", "gateway ephemeral deployed revision 1",
        "orders ephemeral deployed revision 1");
    assertThat(releases(third)).containsExactly(
        "billing ephemeral deployed revision 2", "gateway ephemeral deployed revision 2",
        "orders ephemeral deployed revision 2");
  }

  private static List<String> releases(JsonNode demo) {
    List<String> releases = new ArrayList<>();
    demo.path("releases").forEach(r -> releases.add(r.path("name").asText() + " " + r.path("profile").asText() + " "
        + r.path("status").asText() + " revision " + r.path("revision").asInt()));
    return releases;
  }

  /** Runs the demo with stdout and stderr in files, so the timeout can fire and a failure shows stderr. */
  private static JsonNode demo(Path logs, String... options) throws Exception {
    Path root = CliRun.repoRoot();
    Files.createDirectories(logs);
    Path out = logs.resolve("stdout.json");
    Path err = logs.resolve("stderr.txt");
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/stackpipe").toString(), "demo", "--json"));
    command.addAll(List.of(options));
    Process process = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      fail("bin/stackpipe demo did not finish within " + TIMEOUT_MINUTES + " minutes; stderr:\n" + Files.readString(err));
    }
    if (process.exitValue() != 0) {
      fail("bin/stackpipe demo exited " + process.exitValue() + "; stderr:\n" + Files.readString(err));
    }
    return new ObjectMapper().readTree(Files.readString(out));
  }
}
