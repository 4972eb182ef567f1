package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.BOOLEAN;
import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.optional;
import static io.stackpipe.steps.StepParameter.required;

import io.stackpipe.SemVer;
import java.util.List;
import java.util.Map;

/**
 * promoteL3: the L3 quality gate for one new service version. With a body it runs in two phases the front end calls
 * around the body: {@link #open} (candidate → ephemeral stack; the body's environment) and {@link #close} (promote
 * when the body succeeded, else reject with the failure as reason; destroy the stack unless kept). It always takes a
 * body, as Jenkins requires of a block step; {@code promoteCandidate} promotes a candidate tested elsewhere.
 */
public final class PromoteL3Step implements StepCall {

  static final String NAME = "promoteL3";

  /** What a gate returns, and what promoteCandidate returns too. */
  static final List<ResultField> RESULT = List.of(
          new ResultField("service", "the service changed"),
          new ResultField("version", "its new version"),
          new ResultField("from", "the version L3 held before, or null for a new service"),
          new ResultField("candidate", "the candidate's id (null when the version was already in L3)"),
          new ResultField("candidateVersion", "the candidate manifest's version"),
          new ResultField("verdict", "promoted, rejected, or unchanged (the version was already in L3: no candidate,"
              + " the body did not run)"),
          new ResultField("reason", "why it was rejected (or stale); empty otherwise"),
          new ResultField("before", "L3 before: version, services (name to version)"),
          new ResultField("after", "L3 after: version, services"),
          new ResultField("stack", "the candidate's stack"),
          new ResultField("namespace", "its namespace"),
          new ResultField("stackKept", "whether the stack still exists (keepStackOnFailure after a failure)"),
          new ResultField("timings", "milliseconds per phase: stack, tests, verdict, destroy"),
          new ResultField("test", "null (the body is the test)"));

  private static final String EXAMPLE = "def gate = promoteL3(service: 'orders', version: chart.version) {\n"
          + "  // in its environment: STACK_NAME, STACK_NAMESPACE, STACK_SERVICES, KUBECONFIG, L3_CANDIDATE, ORDERS_URL …\n"
          + "  sh 'sh system-tests.sh'\n"
          + "}\n"
          + "echo \"L3 ${gate.before.version} -> ${gate.after.version}: ${gate.verdict}\"";

  private static final StepDescription DESCRIPTION = new StepDescription(NAME,
      "The L3 quality gate for one new service version, promoted only if the system tests pass on it. With a body: makes the L3 candidate of one new service version (L3 with exactly that"
          + " service changed), creates an ephemeral stack from it, runs the body (the system tests) with"
          + " STACK_NAMESPACE, KUBECONFIG and the services' addresses in its environment, then promotes the"
          + " candidate when the body succeeds or rejects it with the failure as reason, and destroys the stack."
          + " A candidate tested elsewhere is promoted by promoteCandidate. Promotion is a"
          + " compare-and-swap: a candidate whose base is no longer L3 is stale and refused, with the rebase hint.",
      true,
      List.of(
          required("service", STRING, "The service whose new version is the candidate's one change."),
          required("version", STRING, "The service's chart version, already in the chart registry."),
          optional("keepStackOnFailure", BOOLEAN, false, "Keep the candidate's stack when its tests (the body) fail, to look"
              + " at it (the reaper removes it when idle)."),
          Steps.registryCredentialsId()),
      RESULT, EXAMPLE);

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public void check(StepArguments arguments) {
    Steps.checkArgument(arguments, "version", version -> SemVer.parse("version", version));
  }

  /** Without a body: refused, as Jenkins refuses a block step called without one. */
  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    throw StepException.of(NAME, "needs a body that tests the candidate's stack: promoteL3(service: …, version: …)"
        + " { … }; a candidate tested elsewhere is promoted by promoteCandidate candidate: id");
  }

  /**
   * The block form's first phase: the candidate and its ephemeral stack, Ready. The front end runs the body with
   * {@link L3Session#environment()} added to the build's environment, then calls {@link #close}.
   */
  public L3Session open(StepArguments arguments, StepEnvironment context) {
    if (!arguments.step().equals(NAME)) {
      throw new IllegalArgumentException("arguments of " + arguments.step() + ", not " + NAME);
    }
    Steps.requireResolvedCredential(arguments, context.settings());
    return Steps.masked(NAME, context, shown -> L3Gates.open(arguments.string("service"), arguments.string("version"),
        arguments.bool("keepStackOnFailure"), shown));
  }

  /**
   * The block form's second phase, always called once the body ended: promotes the candidate when
   * {@code bodySucceeded}, else rejects it with {@code failureReason} and the last lines of {@code bodyOutput} (the
   * body's output as the build log shows it, masked), as the CLI gate records its tests' last lines; destroys the
   * stack unless the body failed and the session keeps it. A stale candidate (L3 moved while the body ran) is
   * refused with the rebase hint. When the body failed the front end fails the build with the body's own error
   * after this returns.
   */
  public Map<String, Object> close(L3Session session, boolean bodySucceeded, String failureReason,
      List<String> bodyOutput, StepEnvironment context) {
    return Steps.masked(NAME, context,
        shown -> L3Gates.close(session, bodySucceeded, failureReason, bodyOutput, shown));
  }

  /**
   * Instead of {@link #close} when the build was stopped while the body ran: the candidate is rejected as
   * {@code aborted: why} and its stack destroyed, kept on failure or not.
   */
  public Map<String, Object> abort(L3Session session, String why, StepEnvironment context) {
    return Steps.refusingAs(NAME, () -> L3Gates.abort(session, why, context));
  }

  /**
   * After a restart that came as the body ended, while {@link #close} ran (how the body ended is lost): the
   * candidate's record decides — passed: promoted now; pending (the restart came before the verdict was recorded):
   * rejected as aborted; promoted, rejected or stale: kept as it is. The stack goes as {@link #close} would.
   */
  public Map<String, Object> closeAfterRestart(L3Session session, StepEnvironment context) {
    return Steps.refusingAs(NAME, () -> L3Gates.closeAfterRestart(session, context));
  }

  /**
   * After a restart during {@link #open} (the session never came back): the candidates this build made for
   * {@code arguments}' change (by its build URL) are rejected as aborted and their stacks destroyed. Returns a
   * line saying what was closed.
   */
  public String abortOpening(StepArguments arguments, StepEnvironment context) {
    return Steps.refusingAs(NAME, () -> L3Gates.abortOpening(arguments.string("service"),
        arguments.string("version"), context));
  }
}
