package io.stackpipe.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.testsupport.FrontDoor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The step layer enters the engine through the installation's session only (see {@link FrontDoor}). */
class FrontDoorTest {

  @Test
  void stepsBuildAnInstallationAndCallItsSession() throws URISyntaxException {
    Path classes = Path.of(Steps.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(FrontDoor.breachesInClasses(classes, name -> name.startsWith("io.stackpipe.steps."))).isEmpty();
  }
}
