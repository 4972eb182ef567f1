package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.testsupport.docs.DocExamples;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.WithControlPlane;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/stacks.md, run as written against the packaged CLI and the real control plane. */
@WithControlPlane
class StacksGuideIT {

  @Test
  void everyExampleOfTheStacksGuideRunsAsWritten(@TempDir Path work, @KubeConfigPath Path kubeconfig,
      KubernetesClient admin) throws Exception {
    Path root = CliRun.repoRoot();
    try {
      int blocks = new DocExamples(work, root.resolve("bin"), Map.of(),
          Map.of("KUBECONFIG", kubeconfig.toString())).runAll(root.resolve("docs/stacks.md"));
      assertThat(blocks).isEqualTo(6);
      assertThat(admin.namespaces().withLabel("stackpipe.io/installation", "default").list().getItems())
          .allMatch(ns -> ns.getMetadata().getDeletionTimestamp() != null);
    } finally {
      admin.namespaces().withLabel("stackpipe.io/installation", "default").delete();
    }
  }
}
