package io.stackpipe.steps;

import io.stackpipe.manifest.Umbrella;
import java.nio.file.Path;

/** The current L3 as the steps read it. */
final class L3Manifests {

  private L3Manifests() {
  }

  static Umbrella current(StepCluster cluster, Path temp, StepContext context) {
    throw StepException.ofArgument(CreateEphemeralStackStep.NAME, "manifest", "l3: the L3 engine is not merged into this build yet");
  }

  static String versionOf(String service, StepCluster cluster, StepContext context) {
    throw StepException.ofArgument(DeployProfileStep.NAME, "fromL3", "the L3 engine is not merged into this build yet");
  }
}
