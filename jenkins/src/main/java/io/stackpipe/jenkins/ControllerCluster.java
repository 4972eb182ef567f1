package io.stackpipe.jenkins;

import io.stackpipe.manifest.l3.L3;
import io.stackpipe.status.L3Source;
import io.stackpipe.status.L3Status;
import io.stackpipe.steps.StepCluster;
import io.stackpipe.steps.StepSettings;
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
    return open(Settings.forController());
  }

  static StepCluster open(Settings settings) {
    Map<String, String> environment = new HashMap<>(System.getenv());
    settings.environment().forEach((name, value) -> environment.put(name, value.plainText()));
    return StepCluster.open(settings.steps(), Path.of(System.getProperty("java.io.tmpdir")), environment,
        Path.of(System.getProperty("user.home")));
  }

  /** The installation's L3 as the status report reads it, or none when no chart registry is configured. */
  static L3Source l3(StepCluster cluster, StepSettings settings) {
    if (settings.charts() == null) {
      return L3Source.NONE;
    }
    L3 l3 = L3.on(cluster.kube(), settings.charts()).withName(settings.manifestName()).plainHttp(settings.plainHttp());
    return L3Status.of(settings.controlNamespace() == null ? l3 : l3.withNamespace(settings.controlNamespace()));
  }
}
