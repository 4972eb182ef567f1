package io.stackpipe.jenkins;

import io.stackpipe.installation.Session;
import io.stackpipe.installation.SessionEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The installation as the controller's own work opens it (the reaper, the status page): the global settings with
 * credentials resolved as SYSTEM; without a kubeconfig credential, the controller process's KUBECONFIG or its pod's
 * service account. These talk only to the Kubernetes API and the registry, so they run on the controller.
 */
final class ControllerCluster {

  private ControllerCluster() {
  }

  static Session open() throws IOException {
    return open(Settings.forController());
  }

  static Session open(Settings settings) {
    Map<String, String> environment = new HashMap<>(System.getenv());
    settings.environment().forEach((name, value) -> environment.put(name, value.reveal()));
    return settings.steps().toInstallation().open(SessionEnvironment.of(environment,
        Path.of(System.getProperty("user.home"))).withTempDirectory(Path.of(System.getProperty("java.io.tmpdir"))));
  }
}
