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

/** The README's main command, as a newcomer runs it: bin/stackpipe demo, twice. */
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
    assertThat(first.path("releases")).extracting(r -> r.path("name").asText() + " " + r.path("status").asText())
        .containsExactly("billing deployed", "gateway deployed", "orders deployed");
    // The services answer from their pods; the gateway reaches orders and billing through their Services.
    StringBuilder bodies = new StringBuilder();
    first.path("responses").forEach(body -> bodies.append(body.asText()).append('\n'));
    assertThat(bodies).contains("\"service\":\"orders\"", "\"version\":\"1.0.0\"", "\"o-1001\"", "\"i-501\"");
    assertThat(first.path("responses").fieldNames()).toIterable().anyMatch(call -> call.endsWith("/summary (gateway)"));
    assertThat(second.path("charts")).allSatisfy(c ->
        assertThat(c.path("publication").asText()).isEqualTo("ALREADY_PUBLISHED"));
    assertThat(second.path("charts").get(0).path("chartDigest")).isEqualTo(first.path("charts").get(0).path("chartDigest"));
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
