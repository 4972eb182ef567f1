package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.docs.DocExamples;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.WithNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/stacks.md, run as written against the packaged CLI and the real control plane with its node, the example
 * services published to the registry the guide calls localhost:5000.
 */
@WithNode
class StacksGuideIT {

  @Test
  void everyExampleOfTheStacksGuideRunsAsWritten(@TempDir Path work, @KubeConfigPath Path kubeconfig,
      KubernetesClient admin, LocalRegistry registry) throws Exception {
    Path root = CliRun.repoRoot();
    ChartPublish.of(ExampleImages.examples()).withVersion("1.0.0")
        .withImages(service -> ExampleImages.image(registry, service)).pushTo(registry.ociUrl("charts"))
        .withOutputDirectory(work.resolve("published")).call();
    try {
      new DocExamples(work, root.resolve("bin"), Map.of("localhost:5000", registry.host()),
          Map.of("KUBECONFIG", kubeconfig.toString(), "SOPS_AGE_KEY_FILE",
              root.resolve("examples/keys/demo-age-key.txt").toString())).runAll(root.resolve("docs/stacks.md"));
      assertThat(admin.namespaces().withLabel("stackpipe.io/installation", "default").list().getItems())
          .allMatch(ns -> ns.getMetadata().getDeletionTimestamp() != null);
    } finally {
      // Gone, not just terminating: the next IT of this JVM runs on the same cluster, same installation id.
      admin.namespaces().withLabel("stackpipe.io/installation", "default").delete();
      admin.namespaces().withLabel("stackpipe.io/installation", "default").informOnCondition(List::isEmpty)
          .get(2, TimeUnit.MINUTES);
    }
  }
}
