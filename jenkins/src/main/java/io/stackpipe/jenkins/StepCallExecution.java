package io.stackpipe.jenkins;

import hudson.AbortException;
import hudson.model.Computer;
import hudson.model.TaskListener;
import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepEnvironment;
import io.stackpipe.steps.Steps;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jenkins.util.Timer;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * The execution of every non-block step, asynchronous as workflow-basic-steps' and kubernetes-plugin's are: the
 * work runs on Jenkins' remoting thread pool (never the CPS thread), the validated arguments go to the agent, the
 * step layer runs them there, and its result map is the step's return value. {@link #stop} interrupts the work —
 * the engine undoes what it made (a half-made stack is destroyed) and says so in one line — and
 * {@link #onResume} after a controller restart runs the step again from what the cluster holds
 * ({@link Steps#resume}).
 */
public final class StepCallExecution extends StepExecution {

  private static final long serialVersionUID = 1L;
  // How long a stopped step may take to undo its work before the build goes on without it.
  private static final long STOP_GRACE_SECONDS = 60;

  private final StepArguments arguments;
  private final long startedAt;
  private transient volatile Future<?> task;
  private transient volatile Throwable stopped;
  private transient volatile boolean ended;

  public StepCallExecution(StepContext context, StepArguments arguments) {
    super(context);
    this.arguments = arguments;
    this.startedAt = System.currentTimeMillis();
  }

  @Override
  public boolean start() throws Exception {
    submit(false);
    return false;
  }

  @Override
  public void onResume() {
    submit(true);
  }

  private void submit(boolean resumed) {
    task = Computer.threadPoolForRemoting.submit(() -> {
      StepContext context = getContext();
      try {
        Map<String, Object> result = OnAgent.run(context, new Call(context, arguments, resumed ? startedAt : null));
        ended = true;
        context.onSuccess(result);
      } catch (Throwable t) {
        ended = true;
        Throwable cause = stopped;
        if (cause == null) {
          context.onFailure(t);
          return;
        }
        // The engine's one line on what the abort undid; on an agent the work may still be undoing it.
        say(context, t instanceof AbortException ? t.getMessage()
            : arguments.step() + ": aborted; the agent undoes what the step made");
        context.onFailure(cause);
      }
    });
  }

  @Override
  public void stop(Throwable cause) throws Exception {
    stopped = cause;
    Future<?> running = task;
    if (running == null) {
      getContext().onFailure(cause);
      return;
    }
    running.cancel(true);
    // Native Helm does not answer an interrupt: end the step anyway if the work has not ended by then.
    Timer.get().schedule(() -> {
      if (!ended) {
        getContext().onFailure(cause);
      }
    }, STOP_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public String getStatus() {
    return arguments.step() + (stopped != null ? ": stopping" : task == null ? ": waiting" : ": running");
  }

  private static void say(StepContext context, String line) {
    try {
      context.get(TaskListener.class).getLogger().println(line);
    } catch (Exception e) {
      // no log to write to: the build's own failure still says it was aborted
    }
  }

  private static final class Call extends OnAgent<Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private final StepArguments arguments;
    private final Long resumedSince;

    Call(StepContext context, StepArguments arguments, Long resumedSince) throws Exception {
      super(context, Steps.registryCredentialsId(arguments));
      this.arguments = arguments;
      this.resumedSince = resumedSince;
    }

    @Override
    Map<String, Object> work(StepEnvironment context) {
      return resumedSince == null ? Steps.call(arguments, context)
          : Steps.resume(arguments, Instant.ofEpochMilli(resumedSince), context);
    }
  }
}
