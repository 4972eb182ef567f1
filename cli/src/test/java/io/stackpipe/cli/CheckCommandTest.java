package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** `stackpipe check` in-process against the real control plane and registry: one line per part, exit code. */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class CheckCommandTest {

  @Test
  void printsOneLinePerPartAndFailsWhenAPartFails(@KubeConfigPath Path kubeconfig, LocalRegistry registry) {
    CliRun ok = CliRun.run("check", "--kubeconfig", kubeconfig.toString(), "--charts", registry.ociUrl("charts"));

    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out().lines().toList()).hasSize(3).satisfiesExactly(
        cluster -> assertThat(cluster).matches("cluster: OK https://127\\.0\\.0\\.1:\\d+ as \\S+: may create and delete"
            + " namespaces"),
        charts -> assertThat(charts).startsWith("registry: OK " + registry.ociUrl("charts") + " reachable with "),
        keys -> assertThat(keys).startsWith("keys: SKIPPED "));

    CliRun unreachable = CliRun.run("check", "--kubeconfig", kubeconfig.toString(), "--charts",
        "oci://127.0.0.1:1/charts", "--json");
    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.out()).contains("\"ok\" : false").contains("\"outcome\" : \"FAILED\"");
  }
}
