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

  // The demo and the local cluster start the machine's own services (the local module) rather than use an
  // installation; the secrets commands work on files with the caller's own keys, outside any installation.
  private static final List<String> EXEMPT = List.of("DemoCommand", "ClusterCommand", "ServiceCalls",
      "SecretsCommand");

  @Test
  void commandsBuildAnInstallationAndCallItsSession() throws URISyntaxException {
    assertThat(FrontDoor.breachesInClasses(classes(), FrontDoorTest::checked)).isEmpty();
  }

  @Test
  void theRuleSeesWhatTheExemptCommandsDo() throws URISyntaxException {
    Predicate<String> demo = name -> name.startsWith("io.stackpipe.cli.DemoCommand");
    assertThat(FrontDoor.breachesInClasses(classes(), demo))
        .contains("io.stackpipe.cli.DemoCommand uses io.stackpipe.kube.KubeConnection",
            "io.stackpipe.cli.DemoCommand calls io.stackpipe.manifest.l3.L3.on");
  }

  private static boolean checked(String name) {
    return EXEMPT.stream().noneMatch(e -> name.equals("io.stackpipe.cli." + e)
        || name.startsWith("io.stackpipe.cli." + e + "$"));
  }

  private static Path classes() throws URISyntaxException {
    return Path.of(Stackpipe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
