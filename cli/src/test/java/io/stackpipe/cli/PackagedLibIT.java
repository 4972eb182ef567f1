package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the packaged CLI ships in lib/: its runtime, and nothing that only tests need. */
class PackagedLibIT {

  @Test
  void libHoldsTheRuntimeAndNoTestJars() throws IOException {
    Path lib = CliRun.repoRoot().resolve("cli/target/lib");
    List<String> jars;
    try (Stream<Path> files = Files.list(lib)) {
      jars = files.map(p -> p.getFileName().toString()).sorted().toList();
    }

    assertThat(jars).anyMatch(j -> j.startsWith("stackpipe-engine-"))
        .anyMatch(j -> j.startsWith("stackpipe-local-"))
        .anyMatch(j -> j.startsWith("helm-java-"));
    assertThat(jars).noneMatch(j -> j.startsWith("stackpipe-test-support-"))
        .noneMatch(j -> j.startsWith("junit-") || j.startsWith("opentest4j-") || j.startsWith("apiguardian-"))
        .noneMatch(j -> j.startsWith("assertj-"));
  }
}
