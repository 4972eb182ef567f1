package io.stackpipe.steps;

import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaPull;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import java.nio.file.Path;

/** The installation's L3 as the steps read it. */
final class L3Manifests {

  private L3Manifests() {
  }

  /** The engine's L3 of the installation, acting for the build's user. */
  static L3 l3(StepCluster cluster, StepContext context, String step) {
    StepSettings settings = context.settings();
    L3 l3 = L3.on(cluster.kube(), settings.requireCharts(step)).withName(settings.manifestName())
        .plainHttp(settings.plainHttp()).withProgress(context.progress());
    if (settings.controlNamespace() != null) {
      l3 = l3.withNamespace(settings.controlNamespace());
    }
    return context.user() == null ? l3 : l3.withUser(context.user());
  }

  /** The current L3, pulled as the umbrella a stack is made of. */
  static Umbrella current(StepCluster cluster, Path temp, StepContext context) {
    L3Version current = currentVersion(cluster, context, CreateEphemeralStackStep.NAME, "manifest");
    context.progress().accept("L3 is " + current.manifest() + " " + current.version());
    UmbrellaPull pull = UmbrellaPull.of(current.reference()).withOutputDirectory(temp)
        .withProgress(context.progress());
    return (context.settings().plainHttp() ? pull.plainHttp() : pull).call();
  }

  /** The version of {@code service} that the current L3 holds. */
  static String versionOf(String service, StepCluster cluster, StepContext context) {
    L3Version current = currentVersion(cluster, context, DeployProfileStep.NAME, "fromL3");
    String version = current.services().get(service);
    if (version == null) {
      throw StepException.ofArgument(DeployProfileStep.NAME, "chart", service + " is not in L3 "
          + current.version() + " (it holds " + String.join(", ", current.services().keySet()) + ")");
    }
    return version;
  }

  private static L3Version currentVersion(StepCluster cluster, StepContext context, String step, String field) {
    return l3(cluster, context, step).current().orElseThrow(() -> StepException.ofArgument(step, field,
        "there is no L3 yet: bootstrap it once with `stackpipe l3 init`"));
  }
}
