package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.docs.DocExamples;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.WithNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/deploying.md, run as written against the packaged CLI, a real registry and the control plane with its node. */
@WithNode
class DeployingGuideIT {

  @Test
  void everyExampleOfTheDeployingGuideRunsAsWritten(@TempDir Path work, @KubeConfigPath Path kubeconfig,
      LocalRegistry registry, KubernetesClient admin) throws Exception {
    Path root = CliRun.repoRoot();
    TestFiles.copyTree(root.resolve("examples"), work.resolve("examples"));
    // The guide's stated precondition: the service image was pushed.
    GoImages.push(root.resolve("examples/services/orders/app"), "orders", registry.host() + "/services/orders:1.0.0");
    try {
      new DocExamples(work, root.resolve("bin"), Map.of("localhost:5000", registry.host()),
          Map.of("KUBECONFIG", kubeconfig.toString(), "SOPS_AGE_KEY_FILE",
              work.resolve("examples/keys/demo-age-key.txt").toString())).runAll(root.resolve("docs/deploying.md"));
      assertThat(admin.apps().deployments().inNamespace("qa1").withName("orders").get().getMetadata().getLabels())
          .containsEntry("helm.sh/chart", "orders-1.1.0");
    } finally {
      // Gone, not just terminating: the next IT of this JVM runs on the same cluster, same installation id.
      admin.namespaces().withLabel("stackpipe.io/installation", "default").delete();
      admin.namespaces().withLabel("stackpipe.io/installation", "default").informOnCondition(List::isEmpty)
          .get(2, TimeUnit.MINUTES);
    }
  }
}
