package io.stackpipe.jenkins;

import io.stackpipe.steps.StepCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The cluster as the controller's own work sees it (the reaper, the status page): the global settings with
 * credentials resolved as SYSTEM; without a kubeconfig credential, the controller process's KUBECONFIG or its pod's
 * service account. These talk only to the Kubernetes API and the registry, so they run on the controller.
 */
final class ControllerCluster {

  private ControllerCluster() {
  }

  static StepCluster open() throws IOException {
    Settings settings = Settings.forController();
    Map<String, String> environment = new HashMap<>(System.getenv());
    settings.environment().forEach((name, value) -> environment.put(name, value.plainText()));
    return StepCluster.open(settings.steps(), Path.of(System.getProperty("java.io.tmpdir")), environment,
        Path.of(System.getProperty("user.home")));
  }
}
