package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.docs.DocExamples;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.registry.RegistryExtension;
import io.stackpipe.local.registry.LocalImages;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** docs/chart-layout-and-profiles.md, run as written, against the packaged CLI and a real registry. */
@ExtendWith(RegistryExtension.class)
class ChartGuideIT {

  @Test
  void everyExampleOfTheChartGuideRunsAsWritten(LocalRegistry registry, @TempDir Path work) throws Exception {
    Path root = CliRun.repoRoot();
    TestFiles.copyTree(root.resolve("examples"), work.resolve("examples"));
    // The guide's stated precondition: the service image was pushed.
    LocalImages.push(registry.host(), "services/orders", "1.4.0", "orders 1.4.0 (guide)");

    new DocExamples(work, root.resolve("bin"), Map.of("localhost:5000", registry.host()),
        Map.of()).runAll(root.resolve("docs/chart-layout-and-profiles.md"));

    assertThat(work.resolve("build/orders-1.4.0.tgz")).exists();
  }

}
