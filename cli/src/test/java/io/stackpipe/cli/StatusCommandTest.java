package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `stackpipe status` and `status serve` in-process on the real control plane (no L3: stacks and services only). */
@WithControlPlane
class StatusCommandTest {

  @Test
  void printsTablesOrJsonAndServesThePageTheJsonAndHealthOnLoopback(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) throws Exception {
    String prefix = ns.substring(ns.lastIndexOf('-') + 1) + "-";
    List<String> target = List.of("--kubeconfig", kubeconfig.toString(), "--installation", ns,
        "--namespace-prefix", prefix);
    try (KubeConnection kube = KubeConnection.fromKubeconfig(kubeconfig, null)) {
      Stacks stacks = Stacks.on(kube, ns).withNamespacePrefix(prefix);
      stacks.create("pr-9").withOwner("erin").withPurpose("review").call();
      DeployedServices.of(stacks, "pr-9").put(List.of(new DeployedServices.Service("orders", "orders", "1.4.0",
          null, "ephemeral", 3, "deployed", false, Instant.now().toString(), "erin")));

      CliRun text = run("status", target);
      assertThat(text.exitCode()).as(text.err()).isZero();
      assertThat(text.out()).startsWith("L3: none yet").contains("stacks of installation " + ns + " (1)")
          .containsPattern("pr-9 +ephemeral +erin +\\S+ +reap in 6d23h\\S* +orders +1\\.4\\.0 +ephemeral +3 +deployed");

      CliRun json = run("status", target, "--json");
      JsonNode report = new ObjectMapper().readTree(json.out());
      assertThat(report.path("schemaVersion").asInt()).isEqualTo(1);
      assertThat(report.at("/stacks/0/services/0/revision").asInt()).isEqualTo(3);
      assertThat(report.path("l3").isNull()).isTrue();

      CliRun badPort = run("status", List.of("serve", "--port", "70000"), target.toArray(String[]::new));
      assertThat(badPort.exitCode()).isEqualTo(1);
      assertThat(badPort.err()).isEqualTo("stackpipe: --port: 70000 is not a TCP port (0 to 65535)\n");

      StringWriter out = new StringWriter();
      var cli = Stackpipe.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(new StringWriter(), true));
      String[] args = concat(List.of("status", "serve", "--port", "0"), target);
      Thread server = new Thread(() -> cli.execute(args));
      server.start();
      try {
        Pattern address = Pattern.compile("status page: (http://127\\.0\\.0\\.1:\\d+/)");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Matcher m = address.matcher("");
        while (!(m = address.matcher(out.toString())).find() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(m.find(0)).as(out.toString()).isTrue();
        URI page = URI.create(m.group(1));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> html = http.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).contains("<tbody class=\"sp-stack\" data-owner=\"erin\" data-stack=\"pr-9\"")
            .doesNotContain("src=\"http", "href=\"http");
        assertThat(html.headers().firstValue("content-security-policy")).hasValueSatisfying(csp ->
            assertThat(csp).startsWith("default-src 'none'"));
        assertThat(http.send(HttpRequest.newBuilder(page.resolve("/status.json")).build(),
            HttpResponse.BodyHandlers.ofString()).body()).contains("\"name\" : \"pr-9\"");
        assertThat(http.send(HttpRequest.newBuilder(page.resolve("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok\n");
        assertThat(http.send(HttpRequest.newBuilder(page.resolve("/status.json")).DELETE().build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
      } finally {
        server.interrupt();
        server.join(10_000);
      }
      assertThat(server.isAlive()).as("interrupted, the server stops").isFalse();
    } finally {
      admin.namespaces().withLabel(Stack.INSTALLATION_LABEL, ns).delete();
    }
  }

  private static CliRun run(String command, List<String> args, String... more) {
    return CliRun.run(concat(List.of(command), args, List.of(more)));
  }

  @SafeVarargs
  private static String[] concat(List<String>... parts) {
    return java.util.Arrays.stream(parts).flatMap(List::stream).toArray(String[]::new);
  }
}
