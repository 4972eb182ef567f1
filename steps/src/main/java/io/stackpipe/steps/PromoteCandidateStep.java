package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.required;

import java.util.List;
import java.util.Map;

/**
 * promoteCandidate: promotes an L3 candidate tested elsewhere (another job, another system), by its id. A step of its
 * own because promoteL3 is a block step, and Jenkins refuses every call of a block step without a body.
 */
final class PromoteCandidateStep implements StepCall {

  static final String NAME = "promoteCandidate";

  private static final StepDescription DESCRIPTION = new StepDescription(NAME,
      "Promotes an L3 candidate tested elsewhere, by its id. Promotion is a compare-and-swap: a candidate whose base"
          + " is no longer L3 is stale and refused, with the rebase hint.",
      false,
      List.of(required("candidate", STRING, "The id of the candidate to promote (stackpipe l3 candidates lists them)."),
          Steps.registryCredentialsId()),
      PromoteL3Step.RESULT,
      "def promoted = promoteCandidate candidate: params.CANDIDATE\n"
          + "echo \"L3 ${promoted.before.version} -> ${promoted.after.version}: ${promoted.verdict}\"");

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    return L3Gates.promote(arguments.string("candidate"), context);
  }
}
