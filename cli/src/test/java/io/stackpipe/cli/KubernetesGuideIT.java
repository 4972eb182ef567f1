package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.testsupport.docs.DocExamples;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.testsupport.kube.OwnNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/kubernetes.md, run as written against the packaged CLI: the demo cluster starts, answers, stops. */
@OwnNode // cli/pom.xml runs these apart from the ITs that share the build's node
class KubernetesGuideIT {

  @Test
  void everyExampleOfTheKubernetesGuideRunsAsWritten(@TempDir Path work) throws Exception {
    Path root = CliRun.repoRoot();
    try {
      new DocExamples(work, root.resolve("bin"), Map.of(), Map.of())
          .runAll(root.resolve("docs/kubernetes.md"));
      assertThat(ControlPlane.status(work.resolve("demo-cluster")).running()).isFalse();
      assertThat(work.resolve("demo-cluster")).isEmptyDirectory();
    } finally {
      // The guide's cluster is detached by design: never leave it running when an example failed.
      ControlPlane.stop(work.resolve("demo-cluster"));
    }
  }
}
