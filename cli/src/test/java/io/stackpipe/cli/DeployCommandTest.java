package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.chart.ChartBuild;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stackpipe deploy` refusals in-process: one line naming the option, exit 1, nothing changed. */
@WithControlPlane
class DeployCommandTest {

  @Test
  void badInputIsOneLineNamingTheOptionAndChangesNothing(@TempDir Path work, @KubeConfigPath Path kubeconfig,
      @TestNamespace String ns) throws Exception {
    Path source = TestFiles.copyTree(CliRun.repoRoot().resolve("examples/services/orders"), work.resolve("orders"));
    String chart = ChartBuild.of(source).withVersion("1.0.0").withOutputDirectory(work.resolve("out")).call()
        .artifact().toString();
    String prefix = ns.substring(ns.lastIndexOf('-') + 1) + "-";
    assertThat(run(kubeconfig, ns, prefix, "stack", "create", "qa1", "--owner", "qa", "--type", "persistent").exitCode())
        .isZero();
    Path policy = work.resolve("policy.yaml");
    Files.writeString(policy, "stacks:\n  - match: qa1\n    windows:\n      - hours: 9-17\n");

    assertRefused(run(kubeconfig, ns, prefix, "deploy", chart, "--profile", "staging", "--stack", "qa1"),
        "stackpipe: --profile: no profile staging in orders-1.0.0.tgz (it has profiles ephemeral, production, qa1)");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", chart, "--stack", "qa1"), "stackpipe: --profile: is required");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", chart, "--profile", "qa1", "--stack", "My_Stack"),
        "stackpipe: --stack: ");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", chart, "--profile", "production", "--stack", "nope"), "nope");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", chart, "--profile", "production", "--stack", "qa1",
        "--policy", policy.toString()), "stackpipe: --policy: " + policy + ":4: stacks[0].windows[0].days: required");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", "oci://127.0.0.1:9/charts/orders:1.0.0", "--profile", "qa1",
        "--stack", "qa1"), "127.0.0.1:9");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", "orders", "--version", "1.x", "--charts",
        "oci://127.0.0.1:9/charts", "--profile", "qa1", "--stack", "qa1"), "stackpipe: --version: '1.x' is not SemVer 2");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", chart, "--profile", "production", "--stack", "qa1", "--canary",
        "150%"), "stackpipe: --canary: '150%' is not a share");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", "abort", "--stack", "qa1"), "stackpipe: --release: is required");
    assertRefused(run(kubeconfig, ns, prefix, "deploy", "abort", "--stack", "qa1", "--release", "orders"),
        "stackpipe: --release: no open canary of release orders in stack qa1");
    // This CLI's environment holds no key for the profile's secrets.
    assertRefused(run(kubeconfig, ns, prefix, "deploy", chart, "--profile", "qa1", "--stack", "qa1"),
        "stackpipe: orders-1.0.0.tgz:orders/profiles/qa1/secrets.yaml: cannot get the data key");
    // Nothing was installed by any of them.
    assertThat(run(kubeconfig, ns, prefix, "stack", "show", "qa1").out()).doesNotContain("canary:")
        .doesNotContain("lastActivityKind: deploy");
  }

  private static void assertRefused(CliRun run, String message) {
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).contains(message).hasLineCount(1);
  }

  private static CliRun run(Path kubeconfig, String installation, String prefix, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kubeconfig", kubeconfig.toString(), "--installation", installation, "--namespace-prefix",
        prefix));
    return CliRun.run(all.toArray(String[]::new));
  }
}
