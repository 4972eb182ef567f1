package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, as a newcomer runs it: bin/stackpipe demo, then again against a lasting cluster
 * (`stackpipe cluster start`). Each run starts a node, and one node runs per machine: nothing else here holds one.
 */
class DemoIT {

  private static final long TIMEOUT_MINUTES = 5;

  @Test
  void publishesEveryExampleAndInstallsItIntoARealClusterThenARerunUpgradesInPlace(@TempDir Path work,
      @TempDir Path logs, @TempDir Path clusterParent) throws Exception {
    // As the README runs it: a cluster of its own for the length of the run.
    JsonNode first = demo(logs.resolve("first"), "--work", work.toString());
    // Then twice against a cluster that outlives the runs: the second run upgrades what the first installed.
    Path cluster = clusterParent.resolve("cluster");
    String ns = "demo-rerun";
    JsonNode second;
    JsonNode third;
    cli(logs.resolve("start"), "cluster", "start", "--dir", cluster.toString());
    try {
      Path kubeconfig = cluster.resolve("kubeconfig");
      second = demo(logs.resolve("second"), "--work", work.toString(), "--kubeconfig", kubeconfig.toString(),
          "--namespace", ns);
      third = demo(logs.resolve("third"), "--work", work.toString(), "--kubeconfig", kubeconfig.toString(),
          "--namespace", ns);
    } finally {
      cli(logs.resolve("stop"), "cluster", "stop", "--dir", cluster.toString());
    }

    assertThat(first.path("charts")).extracting(c -> c.path("name").asText())
        .containsExactly("billing", "gateway", "orders");
    assertThat(first.path("charts")).allSatisfy(c -> {
      assertThat(c.path("publication").asText()).isEqualTo("PUSHED");
      assertThat(c.path("image").asText()).contains("/services/" + c.path("name").asText() + "@sha256:");
    });
    assertThat(releases(first)).containsExactly(
        "billing ephemeral deployed revision 1", "gateway ephemeral deployed revision 1",
        "orders ephemeral deployed revision 1");
    // The services answer from their pods; the gateway reaches orders and billing through their Services.
    StringBuilder bodies = new StringBuilder();
    first.path("responses").forEach(body -> bodies.append(body.asText()).append('\n'));
    assertThat(bodies).contains("\"service\":\"orders\"", "\"version\":\"1.0.0\"", "\"o-1001\"", "\"i-501\"");
    assertThat(first.path("responses").fieldNames()).toIterable().anyMatch(call -> call.endsWith("/summary (gateway)"));
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

  private static JsonNode demo(Path logs, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("demo", "--json"));
    args.addAll(List.of(options));
    return new ObjectMapper().readTree(cli(logs, args.toArray(String[]::new)));
  }

  /** Runs bin/stackpipe with stdout and stderr in files, so the timeout can fire and a failure shows stderr. */
  private static String cli(Path logs, String... args) throws Exception {
    Path root = CliRun.repoRoot();
    Files.createDirectories(logs);
    Path out = logs.resolve("stdout.txt");
    Path err = logs.resolve("stderr.txt");
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/stackpipe").toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      fail("bin/stackpipe " + args[0] + " did not finish within " + TIMEOUT_MINUTES + " minutes; stderr:\n"
          + Files.readString(err));
    }
    if (process.exitValue() != 0) {
      fail("bin/stackpipe " + args[0] + " exited " + process.exitValue() + "; stderr:\n" + Files.readString(err));
    }
    return Files.readString(out);
  }
}
