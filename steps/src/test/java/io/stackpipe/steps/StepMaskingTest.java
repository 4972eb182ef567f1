package io.stackpipe.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step's output — its progress lines and its refusal — passes the installation's mask: canary credentials put
 * into a chart's values come back from Helm's own error and from a progress line as {@code ****}, and without those
 * settings the same output shows them (so the test sees real output, not an empty one).
 */
class StepMaskingTest {

  static final Path REPO = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
  static final String REGISTRY_PASSWORD = "reg-kanary-5u1x";
  static final String KUBECONFIG_TOKEN = "kc-kanary-4hh7";
  static final String CLIENT_KEY_LINE = "keyKanaryLine9q";
  static final String CLUSTER_TOKEN = "tok-kanary-9zq2";
  static final String AWS_SECRET = "aws-kanary-0p3m";

  @TempDir
  Path workspace;

  static String ageSecret() throws IOException {
    return Files.readString(REPO.resolve("examples/keys/demo-age-key.txt")).lines()
        .filter(line -> line.startsWith("AGE-SECRET-KEY-")).findFirst().orElseThrow();
  }

  static String kubeconfig() {
    String key = Base64.getEncoder().encodeToString(("-----BEGIN EC PRIVATE KEY-----\n" + CLIENT_KEY_LINE
        + "\n-----END EC PRIVATE KEY-----\n").getBytes(StandardCharsets.UTF_8));
    return """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        users:
          - name: u
            user: {token: %s, client-key-data: %s}
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """.formatted(KUBECONFIG_TOKEN, key);
  }

  static StepSettings withKubeconfig() throws IOException {
    return StepSettings.defaults().withRegistryCredential("registry.example.com", "ci", Secret.of(REGISTRY_PASSWORD))
        .withKubeconfig(Secret.of(kubeconfig())).withAgeKey(Secret.of(Files.readString(
            REPO.resolve("examples/keys/demo-age-key.txt"))));
  }

  static StepSettings withClusterToken() {
    return StepSettings.defaults().withClusterToken("https://127.0.0.1:1", Secret.of(CLUSTER_TOKEN), null);
  }

  /** A chart whose template fails with Helm's error quoting {@code leak} (a chart value), unless leak is empty. */
  Path chart(String leak) throws IOException {
    Path chart = Files.createDirectories(workspace.resolve("svc/templates"));
    Files.writeString(chart.resolveSibling("Chart.yaml"), "apiVersion: v2\nname: svc\nversion: 0.1.0\n");
    Files.writeString(chart.resolveSibling("values.yaml"), "leak: \"" + leak + "\"\n");
    Files.writeString(chart.resolve("fail.yaml"), "{{- if .Values.leak }}{{ fail (printf \"leaking %s\" .Values.leak) }}"
        + "{{- end }}\n");
    return chart.getParent();
  }

  StepEnvironment context(StepSettings settings, List<String> log) {
    return StepEnvironment.in(workspace, settings).withEnvironment(Map.of("AWS_SECRET_ACCESS_KEY", AWS_SECRET), null)
        .withProgress(log::add);
  }

  @Test
  void aRefusalQuotingTheInstallationsCredentialsShowsThemMasked() throws IOException {
    List<String> canaries = List.of(REGISTRY_PASSWORD, KUBECONFIG_TOKEN, CLIENT_KEY_LINE, ageSecret(), AWS_SECRET);
    chart(String.join(" ", canaries));

    assertThatThrownBy(() -> Steps.call("buildChart", Map.of("chart", "svc"), context(withKubeconfig(), new ArrayList<>())))
        .isInstanceOf(StepException.class)
        .hasMessageStartingWith("buildChart: ")
        .hasMessageContaining("leaking **** **** **** **** ****")
        .satisfies(e -> canaries.forEach(canary -> assertThat(e.getMessage()).doesNotContain(canary)))
        .hasNoCause();
    // The same output without those settings quotes the values: the mask above hid real output.
    assertThatThrownBy(() -> Steps.call("buildChart", Map.of("chart", "svc"),
        StepEnvironment.in(workspace, StepSettings.defaults())))
        .hasMessageContaining("leaking " + String.join(" ", canaries));
  }

  @Test
  void theTokenFormsTokenIsMaskedToo() throws IOException {
    chart(CLUSTER_TOKEN);

    assertThatThrownBy(() -> Steps.call("buildChart", Map.of("chart", "svc"), context(withClusterToken(),
        new ArrayList<>())))
        .hasMessageContaining("leaking ****")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CLUSTER_TOKEN));
  }

  @Test
  void progressLinesAreMasked() throws IOException {
    chart("");
    List<String> log = new ArrayList<>();
    String version = "1.0.0-" + REGISTRY_PASSWORD;

    Map<String, Object> built = Steps.call("buildChart", Map.of("chart", "svc", "version", version),
        context(withKubeconfig(), log));

    assertThat(built.get("version")).as("the result is the pipeline's own value").isEqualTo(version);
    assertThat(log).anySatisfy(line -> assertThat(line).startsWith("chart svc 1.0.0-****"))
        .allSatisfy(line -> assertThat(line).doesNotContain(REGISTRY_PASSWORD));
  }
}
