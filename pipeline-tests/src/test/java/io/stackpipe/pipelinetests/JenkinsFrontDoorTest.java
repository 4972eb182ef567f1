package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.testsupport.FrontDoor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin (whose sources CI cannot compile) enters the engine through the installation's session only: read
 * from its sources' imports and calls (see {@link FrontDoor}).
 */
class JenkinsFrontDoorTest {

  private static final Path SOURCES = Path.of(System.getProperty("stackpipe.repo.root", ".."))
      .resolve("jenkins/src/main/java");

  @Test
  void thePluginOpensTheInstallationsSession() {
    assertThat(SOURCES).isDirectory();
    assertThat(FrontDoor.breachesInSources(SOURCES)).isEmpty();
  }

  @Test
  void theRuleSeesAnImportedClientAndAFactoryCall(@TempDir Path sources) throws IOException {
    Files.writeString(sources.resolve("Wired.java"), """
        package io.stackpipe.jenkins;

        import io.stackpipe.kube.KubeConnection;
        import io.stackpipe.stack.Stacks;

        final class Wired {
          Object stacks(KubeConnection kube) {
            return Stacks.on(kube, "default");
          }
        }
        """);
    assertThat(FrontDoor.breachesInSources(sources)).containsExactly(
        "Wired.java uses io.stackpipe.kube.KubeConnection", "Wired.java calls io.stackpipe.stack.Stacks.on");
  }
}
