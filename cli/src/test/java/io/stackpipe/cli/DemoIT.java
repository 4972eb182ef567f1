package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, as a newcomer runs it: bin/stackpipe demo, twice (each run with a cluster of its own;
 * the registry's data lasts).
 */
class DemoIT {

  @Test
  void publishesEveryExampleAndInstallsItIntoARealClusterThenARerunIsANoOp(@TempDir Path work) throws Exception {
    JsonNode first = demo(work);
    JsonNode second = demo(work);

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
    assertThat(ephemeral.path("release").path("name").asText() + " " + ephemeral.path("release").path("status")
        .asText()).isEqualTo("platform deployed");
    assertThat(ephemeral.path("services")).extracting(s -> s.path("name").asText() + " " + s.path("version").asText())
        .containsExactly("billing 1.0.0", "gateway 1.0.0", "orders 1.0.0");
    assertThat(ephemeral.path("reach").toString()).contains("telepresence connect --namespace stackpipe-demo");
    // One service's qa1 profile on a persistent stack.
    assertThat(first.path("persistent").path("name").asText()).isEqualTo("orders");
    assertThat(first.path("persistent").path("profile").asText()).isEqualTo("qa1");
    assertThat(first.path("persistent").path("namespace").asText()).isEqualTo("stackpipe-demo-qa1");
    assertThat(first.path("persistent").path("status").asText()).isEqualTo("deployed");
    // Seven days on, the reaper would take the idle ephemeral stack and keep the persistent one.
    JsonNode reap = first.path("reapIn7Days");
    assertThat(reap.path("dryRun").asBoolean()).isTrue();
    assertThat(reap.path("reaped")).extracting(e -> e.path("stack").asText()).containsExactly("stackpipe-demo");
    assertThat(reap.path("kept")).extracting(e -> e.path("stack").asText()).contains("stackpipe-demo-qa1");
    // The services answer from their pods; the gateway reaches orders and billing through their Services.
    StringBuilder bodies = new StringBuilder();
    first.path("responses").forEach(body -> bodies.append(body.asText()).append('\n'));
    assertThat(bodies).contains("\"service\":\"orders\"", "\"version\":\"1.0.0\"", "\"o-1001\"", "\"i-501\"");
    assertThat(first.path("responses").fieldNames()).toIterable().anyMatch(call -> call.endsWith("/summary (gateway)"));
    assertThat(second.path("charts")).allSatisfy(c ->
        assertThat(c.path("publication").asText()).isEqualTo("ALREADY_PUBLISHED"));
    assertThat(second.path("charts").get(0).path("chartDigest")).isEqualTo(first.path("charts").get(0).path("chartDigest"));
    // The same charts assemble the same umbrella, byte for byte.
    assertThat(second.path("ephemeral").path("manifest")).isEqualTo(ephemeral.path("manifest"));
  }

  private static JsonNode demo(Path work) throws Exception {
    Path root = CliRun.repoRoot();
    Process process = new ProcessBuilder(List.of(root.resolve("bin/stackpipe").toString(), "demo",
        "--work", work.toString(), "--json"))
        .directory(root.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).isZero();
    return new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8));
  }
}
