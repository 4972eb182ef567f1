package io.stackpipe.steps;

import java.util.Map;

/** The engine's L3 gate as the steps use it. */
final class L3Gates {

  private L3Gates() {
  }

  static Map<String, Object> promote(String candidate, StepContext context) {
    throw StepException.of(PromoteL3Step.NAME, "the L3 engine is not merged into this build yet");
  }

  static L3Session open(String service, String version, boolean keepStackOnFailure, StepContext context) {
    throw StepException.of(PromoteL3Step.NAME, "the L3 engine is not merged into this build yet");
  }

  static Map<String, Object> close(L3Session session, boolean bodySucceeded, String failureReason, StepContext context) {
    throw StepException.of(PromoteL3Step.NAME, "the L3 engine is not merged into this build yet");
  }
}
