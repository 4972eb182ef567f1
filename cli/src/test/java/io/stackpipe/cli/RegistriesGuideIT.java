package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.base.FileTrees;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.docs.DocExamples;
import io.stackpipe.testsupport.registry.AuthRegistries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/registries.md, run as written against the packaged CLI and a registry that requires Basic for user ci, with
 * the guide's password. HOME is the test's folder, so no Docker or Helm config of this machine takes part.
 */
class RegistriesGuideIT {

  static final String PASSWORD = "s3cret-guide";

  @Test
  void everyExampleOfTheRegistriesGuideRunsAsWritten(@TempDir Path work) throws Exception {
    Path root = CliRun.repoRoot();
    TestFiles.copyTree(root.resolve("examples"), work.resolve("examples"));
    Path files = Files.createTempDirectory("stackpipe-basic-");
    try (LocalRegistry registry = AuthRegistries.basic(Map.of("ci", PASSWORD), files)) {
      new DocExamples(work, root.resolve("bin"), Map.of("localhost:5000", registry.host()),
          Map.of("HOME", work.toString())).runAll(root.resolve("docs/registries.md"));
    } finally {
      FileTrees.delete(files);
    }

    // The only files holding the password are the ones the guide wrote itself.
    try (Stream<Path> all = Files.walk(work)) {
      assertThat(all.filter(Files::isRegularFile).filter(f -> {
        try {
          return new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains(PASSWORD);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).map(work::relativize).map(Path::toString)).containsExactly("helpers/docker-credential-team");
    }
  }
}
