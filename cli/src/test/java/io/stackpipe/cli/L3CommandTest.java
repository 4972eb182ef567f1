package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `stackpipe l3 …` in-process on the real control plane and registry, with the example services' charts. */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class L3CommandTest {

  @TempDir
  Path work;

  private static CliRun l3(Path kubeconfig, String ns, String charts, String... args) {
    List<String> all = new ArrayList<>(List.of("l3"));
    all.addAll(List.of(args));
    all.addAll(List.of("--kubeconfig", kubeconfig.toString(), "--l3-namespace", ns, "--charts", charts));
    return CliRun.run(all.toArray(String[]::new));
  }

  @Test
  void initCandidatePromoteShowHistoryAndDiffThenRefusalsInOneLine(LocalRegistry registry,
      @KubeConfigPath Path kubeconfig, @TestNamespace String ns) throws Exception {
    String charts = registry.ociUrl("cli-l3-" + ns);
    for (String version : List.of("1.0.0", "1.1.0")) {
      ChartPublish.of(ExampleImages.examples()).withVersion(version).withImages(service -> null).pushTo(charts)
          .withOutputDirectory(work.resolve(version)).call();
    }
    ObjectMapper json = new ObjectMapper();

    CliRun init = l3(kubeconfig, ns, charts, "init", "--from", "orders=1.0.0,billing=1.0.0");
    assertThat(init.exitCode()).as(init.err()).isZero();
    assertThat(init.out()).startsWith("L3 platform #1 1.0.0-init-").contains("(2 services) " + charts + "/platform@sha256:")
        .contains("\n  billing              1.0.0\n  orders               1.0.0\n");

    CliRun made = l3(kubeconfig, ns, charts, "candidate", "--service", "orders", "--version", "1.1.0",
        "--build-url", "https://ci.example.com/orders/12/", "--json");
    assertThat(made.exitCode()).as(made.err()).isZero();
    JsonNode candidate = json.readTree(made.out());
    String id = candidate.path("id").asText();
    assertThat(candidate.path("verdict").asText()).isEqualTo("pending");
    assertThat(candidate.path("change").path("to").asText()).isEqualTo("1.1.0");
    assertThat(candidate.path("buildUrl").asText()).isEqualTo("https://ci.example.com/orders/12/");

    JsonNode shown = json.readTree(l3(kubeconfig, ns, charts, "show", "--json").out());
    assertThat(shown.path("current").path("sequence").asInt()).isEqualTo(1);
    assertThat(shown.path("open").get(0).path("id").asText()).isEqualTo(id);

    CliRun promoted = l3(kubeconfig, ns, charts, "promote", id);
    assertThat(promoted.exitCode()).as(promoted.err()).isZero();
    assertThat(promoted.out()).startsWith("promoted " + id + ": orders 1.0.0 → 1.1.0\n  L3 before: platform #1 ")
        .contains("\n  L3 after:  platform #2 2.0.0-" + id + " (2 services)");
    assertThat(l3(kubeconfig, ns, charts, "show").out()).startsWith("L3 platform #2 2.0.0-" + id)
        .contains("promoted " + id + " (orders 1.0.0 → 1.1.0) by ").contains("no open candidates");

    JsonNode history = json.readTree(l3(kubeconfig, ns, charts, "history", "--service", "orders", "--json").out());
    assertThat(history.path("promotions")).hasSize(1);
    assertThat(history.path("promotions").get(0).path("candidate").asText()).isEqualTo(id);
    String first = init.out().split(" ")[3];
    assertThat(l3(kubeconfig, ns, charts, "diff", first, "l3").out()).isEqualTo(first + " (" + first + ") → l3 (2.0.0-"
        + id + "): 1 services differ\n  changed  orders               1.0.0 → 1.1.0\n");

    CliRun badId = l3(kubeconfig, ns, charts, "promote", "nope");
    assertThat(badId.exitCode()).isEqualTo(1);
    assertThat(badId.err()).isEqualTo("stackpipe: CANDIDATE: 'nope' is not a candidate id (c and 8 characters a-z 0-9,"
        + " e.g. c4k9x2m7q)\n");
    CliRun two = l3(kubeconfig, ns, charts, "candidate", "orders=1.0.0", "billing=1.1.0", "gateway=1.0.0");
    assertThat(two.exitCode()).isEqualTo(1);
    assertThat(two.err()).isEqualTo("stackpipe: --service: more than one service would change (orders=1.0.0,"
        + " billing=1.1.0, gateway=1.0.0): a candidate changes exactly one service of L3\n");
    CliRun unknown = l3(kubeconfig, ns, charts, "candidate", "--service", "orders", "--version", "9.9.9");
    assertThat(unknown.err()).isEqualTo("stackpipe: --version: orders 9.9.9 is not in " + charts
        + " (it has 1.0.0, 1.1.0)\n");
    CliRun same = l3(kubeconfig, ns, charts, "candidate", "--service", "orders", "--version", "1.1.0");
    assertThat(same.exitCode()).isEqualTo(1);
    assertThat(same.err()).isEqualTo("stackpipe: orders 1.1.0 is already in L3 2.0.0-" + id + ": nothing to change\n");
    CliRun again = l3(kubeconfig, ns, charts, "init");
    assertThat(again.err()).startsWith("stackpipe: L3 of platform already exists in namespace " + ns + ": 2.0.0-" + id)
        .hasLineCount(1);

    JsonNode billing = json.readTree(l3(kubeconfig, ns, charts, "candidate", "--service", "billing", "--version",
        "1.1.0", "--json").out());
    CliRun rejected = l3(kubeconfig, ns, charts, "reject", billing.path("id").asText(), "--reason", "checkout broke");
    assertThat(rejected.out()).isEqualTo("rejected " + billing.path("id").asText()
        + " (billing 1.0.0 → 1.1.0): checkout broke\n");
    CliRun promoteRejected = l3(kubeconfig, ns, charts, "promote", billing.path("id").asText());
    assertThat(promoteRejected.exitCode()).isEqualTo(1);
    assertThat(promoteRejected.err()).isEqualTo("stackpipe: CANDIDATE: " + billing.path("id").asText()
        + " is rejected (checkout broke): only pending or passed candidates are promoted\n");
    assertThat(l3(kubeconfig, ns, charts, "candidates").out())
        .containsPattern(billing.path("id").asText() + " +rejected +billing 1.0.0 → 1.1.0 +on #2 by .*: checkout broke\n")
        .containsPattern(id + " +promoted +orders 1.0.0 → 1.1.0 +on #1 ");
  }
}
