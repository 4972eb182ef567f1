package io.stackpipe.cli;


import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.chart.ChartPublish;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.docs.DocExamples;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/pipeline-and-l3.md, run as written against the packaged CLI and the real control plane, the example
 * services' charts published at 1.0.0 and 1.1.0 to the registry the guide calls localhost:5000.
 */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class PipelineGuideIT {

  @Test
  void everyL3ExampleOfThePipelineGuideRunsAsWritten(@TempDir Path work, @KubeConfigPath Path kubeconfig,
      KubernetesClient admin, LocalRegistry registry) throws Exception {
    Path root = CliRun.repoRoot();
    for (String version : List.of("1.0.0", "1.1.0")) {
      ChartPublish.of(ExampleImages.examples()).withVersion(version).withImages(service -> null)
          .pushTo(registry.ociUrl("charts")).withOutputDirectory(work.resolve("published-" + version)).call();
    }
    try {
      new DocExamples(work, root.resolve("bin"), Map.of("localhost:5000", registry.host()),
          Map.of("KUBECONFIG", kubeconfig.toString())).runAll(root.resolve("docs/pipeline-and-l3.md"));
    } finally {
      admin.namespaces().withName("stackpipe-system").delete();
    }
  }
}
