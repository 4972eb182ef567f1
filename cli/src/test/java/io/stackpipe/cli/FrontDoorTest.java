package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.testsupport.FrontDoor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The CLI enters the engine through the installation's session only (see {@link FrontDoor}). */
class FrontDoorTest {

  // `cluster` starts and stops the machine's own control plane (the local module), before any installation exists;
  // the secrets commands work on files with the caller's own keys, outside any installation. The demo opens an
  // installation on the registry and cluster it starts, like any front end, so it is checked.
  private static final List<String> EXEMPT = List.of("ClusterCommand", "SecretsCommand");

  @Test
  void commandsBuildAnInstallationAndCallItsSession() throws URISyntaxException {
    assertThat(FrontDoor.breachesInClasses(classes(), FrontDoorTest::checked)).isEmpty();
  }

  @Test
  void theRuleSeesWhatTheExemptCommandsDo() throws URISyntaxException {
    Predicate<String> secrets = name -> name.startsWith("io.stackpipe.cli.SecretsCommand");
    assertThat(FrontDoor.breachesInClasses(classes(), secrets))
        .contains("io.stackpipe.cli.SecretsCommand uses io.stackpipe.secrets.core.SecretsEnvironment",
            "io.stackpipe.cli.SecretsCommand$KeyOptions uses io.stackpipe.secrets.keys.SecretKeys");
  }

  private static boolean checked(String name) {
    return EXEMPT.stream().noneMatch(e -> name.equals("io.stackpipe.cli." + e)
        || name.startsWith("io.stackpipe.cli." + e + "$"));
  }

  private static Path classes() throws URISyntaxException {
    return Path.of(Stackpipe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
