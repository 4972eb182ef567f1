package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.testsupport.kube.OwnNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, as a newcomer runs it: bin/stackpipe demo (publish, stacks, deploy, reaper, and the L3
 * gate on one change that passes its system tests and one that breaks a service), then again against a lasting
 * cluster of {@code stackpipe cluster start} (one node per machine: the demo's own and this one never overlap).
 */
@OwnNode // cli/pom.xml runs these apart from the ITs that share the build's node
class DemoIT {

  private static final long TIMEOUT_MINUTES = 8;

  @Test
  void publishesEveryExampleAndInstallsItIntoARealClusterThenARerunUpgradesInPlace(@TempDir Path work,
      @TempDir Path logs, @TempDir Path cluster) throws Exception {
    // As the README runs it: a control plane of its own for the length of the run.
    JsonNode first = demo(logs.resolve("first"), "--work", work.toString());
    // Then twice against a cluster that outlives the runs: the second run upgrades what the first installed.
    String stack = "demo-rerun";
    String kubeconfig = cluster.resolve("kubeconfig").toString();
    JsonNode second;
    JsonNode third;
    stackpipe(logs.resolve("start"), "cluster", "start", "--dir", cluster.toString());
    try {
      second = demo(logs.resolve("second"), "--work", work.toString(), "--kubeconfig", kubeconfig, "--stack", stack);
      third = demo(logs.resolve("third"), "--work", work.toString(), "--kubeconfig", kubeconfig, "--stack", stack);
    } finally {
      stackpipe(logs.resolve("stop"), "cluster", "stop", "--dir", cluster.toString());
    }

    assertThat(first.path("charts")).extracting(c -> c.path("name").asText())
        .containsExactly("billing", "gateway", "orders");
    assertThat(first.path("charts")).allSatisfy(c -> {
      assertThat(c.path("publication").asText()).isEqualTo("PUSHED");
      assertThat(c.path("image").asText()).contains("/services/" + c.path("name").asText() + "@sha256:");
    });
    // An ephemeral stack of all three, one umbrella release, recorded on the stack.
    JsonNode ephemeral = first.path("ephemeral");
    assertThat(ephemeral.path("name").asText()).isEqualTo("stackpipe-demo");
    assertThat(ephemeral.path("type").asText()).isEqualTo("ephemeral");
    assertThat(ephemeral.path("manifest").path("chart").asText()).isEqualTo("platform");
    assertThat(ephemeral.path("manifest").path("digest").asText()).startsWith("sha256:");
    assertThat(release(ephemeral.path("release"))).isEqualTo("platform deployed revision 1");
    assertThat(ephemeral.path("services")).extracting(s -> s.path("name").asText() + " " + s.path("version").asText())
        .containsExactly("billing 1.0.0", "gateway 1.0.0", "orders 1.0.0");
    assertThat(ephemeral.path("reach").toString()).contains("telepresence connect --namespace stackpipe-demo");
    // Each service's profile secrets were decrypted with the demo key and reached Helm.
    assertThat(ephemeral.path("services")).allSatisfy(s -> assertThat(s.path("secretsSkipped").asBoolean()).isFalse());
    // The services answer from their pods; the gateway reaches orders and billing through their Services.
    StringBuilder bodies = new StringBuilder();
    first.path("responses").forEach(body -> bodies.append(body.asText()).append('\n'));
    assertThat(bodies).contains("\"service\":\"orders\"", "\"version\":\"1.0.0\"", "\"o-1001\"", "\"i-501\"");
    assertThat(first.path("responses").fieldNames()).toIterable().anyMatch(call -> call.endsWith("/summary (gateway)"));
    // One service's qa1 profile on a persistent stack.
    assertThat(first.path("persistent").path("namespace").asText()).isEqualTo("stackpipe-demo-qa1");
    JsonNode persistent = first.path("persistent");
    assertThat(deployed(persistent)).isEqualTo("orders deployed revision 1");
    assertThat(persistent.path("profile").asText()).isEqualTo("qa1");
    assertThat(persistent.path("layers").toString()).contains("profiles/qa1/secrets.yaml (decrypted)");
    // Seven days on, the reaper would take the idle ephemeral stack and keep the persistent one.
    JsonNode reap = first.path("reapIn7Days");
    assertThat(reap.path("dryRun").asBoolean()).isTrue();
    assertThat(reap.path("reaped")).extracting(e -> e.path("stack").asText()).containsExactly("stackpipe-demo");
    assertThat(reap.path("kept")).extracting(e -> e.path("stack").asText()).containsExactly("stackpipe-demo-qa1");

    // The L3 gate: orders at the next version passes its system tests through the gateway and is promoted; billing
    // built from examples/broken comes up but fails them, is rejected, and L3 stays as the first gate left it.
    for (JsonNode run : List.of(first, second, third)) {
      JsonNode l3 = run.path("l3");
      assertThat(l3.path("before").path("services").toString())
          .isEqualTo("{\"billing\":\"1.0.0\",\"gateway\":\"1.0.0\",\"orders\":\"1.0.0\"}");
      JsonNode passed = l3.path("gates").get(0);
      assertThat(passed.path("service").asText() + " " + passed.path("version").asText() + " "
          + passed.path("verdict").asText()).isEqualTo("orders 1.1.0 promoted");
      assertThat(passed.path("test").path("exitCode").asInt()).isZero();
      assertThat(passed.path("test").path("lastLines").toString()).contains("ok    GET http://", "/summary",
          "all checks passed");
      JsonNode rejected = l3.path("gates").get(1);
      assertThat(rejected.path("service").asText() + " " + rejected.path("version").asText() + " "
          + rejected.path("verdict").asText()).isEqualTo("billing 1.1.0 rejected");
      assertThat(rejected.path("reason").asText()).startsWith("exit 1: ")
          .contains("billing /invoices (500), gateway /summary (502)");
      assertThat(rejected.path("after")).isEqualTo(passed.path("after"));
      assertThat(l3.path("after").path("version")).isEqualTo(passed.path("after").path("version"));
      assertThat(l3.path("after").path("services").toString())
          .isEqualTo("{\"billing\":\"1.0.0\",\"gateway\":\"1.0.0\",\"orders\":\"1.1.0\"}");
      assertThat(List.of(passed, rejected)).allSatisfy(g -> assertThat(g.path("stackKept").asBoolean()).isFalse());
    }

    assertThat(second.path("charts")).allSatisfy(c ->
        assertThat(c.path("publication").asText()).isEqualTo("ALREADY_PUBLISHED"));
    assertThat(second.path("charts").get(0).path("chartDigest")).isEqualTo(first.path("charts").get(0).path("chartDigest"));
    // The same charts assemble the same umbrella, byte for byte; each run makes its ephemeral stack afresh and
    // upgrades the persistent stack's release.
    assertThat(second.path("ephemeral").path("manifest")).isEqualTo(ephemeral.path("manifest"));
    assertThat(second.path("ephemeral").path("namespace").asText()).isEqualTo(stack);
    assertThat(release(third.path("ephemeral").path("release"))).isEqualTo("platform deployed revision 1");
    assertThat(deployed(second.path("persistent"))).isEqualTo("orders deployed revision 1");
    assertThat(deployed(third.path("persistent"))).isEqualTo("orders deployed revision 2");
  }

  /** A deploy's result (the session's DeployResult) as "release status revision N". */
  private static String deployed(JsonNode deploy) {
    return deploy.path("release").asText() + " " + deploy.path("status").asText() + " revision "
        + deploy.path("revision").asInt();
  }

  private static String release(JsonNode release) {
    return release.path("name").asText() + " " + release.path("status").asText() + " revision "
        + release.path("revision").asInt();
  }

  private static JsonNode demo(Path logs, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("demo", "--json"));
    command.addAll(List.of(options));
    return new ObjectMapper().readTree(stackpipe(logs, command.toArray(String[]::new)));
  }

  /** Runs bin/stackpipe with stdout and stderr in files, so the timeout can fire and a failure shows stderr. */
  private static String stackpipe(Path logs, String... arguments) throws Exception {
    Path root = CliRun.repoRoot();
    Files.createDirectories(logs);
    Path out = logs.resolve("stdout.txt");
    Path err = logs.resolve("stderr.txt");
    List<String> command = new ArrayList<>(List.of(root.resolve("bin/stackpipe").toString()));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      fail("bin/stackpipe " + arguments[0] + " did not finish within " + TIMEOUT_MINUTES + " minutes; stderr:\n"
          + Files.readString(err));
    }
    if (process.exitValue() != 0) {
      fail("bin/stackpipe " + arguments[0] + " exited " + process.exitValue() + "; stderr:\n" + Files.readString(err));
    }
    return Files.readString(out);
  }
}
