package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * `stackpipe l3 gate` and `stackpipe stack sync` refusals, in-process on the real control plane: one line naming
 * the input, exit 1 (2 for usage), nothing made. The gate and the sync themselves run on the node in the engine's
 * L3GateTest and through the demo (DemoIT).
 */
@WithControlPlane
class GateAndSyncCommandTest {
  static final String CHARTS = "oci://127.0.0.1:1/charts";

  @Test
  void theGateRefusesATestCommandThatCannotRunOrNoneAtAllBeforeMakingAnything(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) {
    String[] common = {"l3", "gate", "--kubeconfig", kubeconfig.toString(), "--charts", CHARTS, "--l3-namespace", ns,
        "--service", "orders", "--version", "1.1.0"};

    CliRun missing = CliRun.run(common);
    CliRun notFound = CliRun.run(concat(common, "--", "no-such-system-test", "--all"));
    CliRun notExecutable = CliRun.run(concat(common, "--", "./no/such/tests.sh"));
    CliRun badTimeout = CliRun.run(concat(common, "--test-timeout", "forever", "--", "sh", "tests.sh"));

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).startsWith("Missing required parameter: 'COMMAND'");
    assertThat(notFound.exitCode()).isEqualTo(1);
    assertThat(notFound.err()).isEqualTo("stackpipe: COMMAND: no-such-system-test: not found on PATH\n");
    assertThat(notExecutable.err()).startsWith("stackpipe: COMMAND: ./no/such/tests.sh: no executable file (in ")
        .hasLineCount(1);
    assertThat(badTimeout.err()).isEqualTo("stackpipe: --test-timeout: \"forever\" is not a duration such as 7d, 24h,"
        + " 90m or 1d12h\n");
    // No candidate was recorded: the registry (port 1) was never even asked.
    assertThat(admin.configMaps().inNamespace(ns).list().getItems())
        .noneMatch(c -> c.getMetadata().getName().contains("candidate"));
  }

  @Test
  void syncToL3RefusesWhenThereIsNoL3(@KubeConfigPath Path kubeconfig, @TestNamespace String ns) {
    CliRun sync = CliRun.run("stack", "sync", "qa1", "--to", "l3", "--charts", CHARTS, "--l3-namespace", ns,
        "--kubeconfig", kubeconfig.toString(), "--installation", ns);

    assertThat(sync.exitCode()).isEqualTo(1);
    assertThat(sync.err()).isEqualTo("stackpipe: --to: there is no L3 of platform yet in namespace " + ns
        + ": bootstrap it once with `stackpipe l3 init`\n");
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = new String[first.length + more.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
