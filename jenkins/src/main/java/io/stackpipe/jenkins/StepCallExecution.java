package io.stackpipe.jenkins;

import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepEnvironment;
import io.stackpipe.steps.Steps;
import java.util.Map;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;

/**
 * The execution of every non-block step: off the CPS thread, the validated arguments go to the agent, the step
 * layer runs them there, and its result map is the step's return value.
 */
public final class StepCallExecution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

  private static final long serialVersionUID = 1L;

  private final StepArguments arguments;

  public StepCallExecution(StepContext context, StepArguments arguments) {
    super(context);
    this.arguments = arguments;
  }

  @Override
  protected Map<String, Object> run() throws Exception {
    return OnAgent.run(getContext(), new Call(getContext(), arguments));
  }

  private static final class Call extends OnAgent<Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private final StepArguments arguments;

    Call(StepContext context, StepArguments arguments) throws Exception {
      super(context, Steps.registryCredentialsId(arguments));
      this.arguments = arguments;
    }

    @Override
    Map<String, Object> work(StepEnvironment context) {
      return Steps.call(arguments, context);
    }
  }
}
