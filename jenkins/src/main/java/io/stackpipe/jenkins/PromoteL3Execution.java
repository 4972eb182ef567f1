package io.stackpipe.jenkins;

import hudson.AbortException;
import hudson.console.ConsoleLogFilter;
import hudson.console.ConsoleNote;
import hudson.model.Computer;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.stackpipe.steps.L3Session;
import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepEnvironment;
import io.stackpipe.steps.Steps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jenkins.model.CauseOfInterruption;
import jenkins.util.Timer;
import org.jenkinsci.plugins.workflow.steps.BodyExecution;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * {@code promoteL3(service:, version:) { … }}: on the agent, the step layer opens the candidate and its stack; the
 * body runs with the session's environment; then, on the agent again, the candidate is promoted (body succeeded) or
 * rejected with the body's failure and its last lines as reason, and the stack destroyed unless kept. The body's
 * output passes a {@link MaskingFilter} of the stack's decrypted secrets and the body's kubeconfig token. The session
 * is small, serializable and secret-free, kept here and in the body's callback, so a controller restart while the
 * body runs ends the gate normally. Cluster work runs on Jenkins' remoting thread pool, never the CPS thread.
 *
 * <p>Aborts and restarts in each phase: stopped while opening, the work is interrupted and the engine rejects the
 * candidate as aborted and destroys its stack; stopped while the body runs, the body is cancelled and the candidate
 * rejected as aborted, its stack destroyed even if kept on failure. Restarted while opening, the candidate this build
 * made is found by its build URL, rejected as aborted and its stack destroyed, and the step fails saying so;
 * restarted as the body ended, the candidate's record decides the verdict ({@code closeAfterRestart}).
 */
public final class PromoteL3Execution extends StepExecution {

  private static final long serialVersionUID = 1L;
  // Enough of the log's end to hold the body's last lines after Pipeline's closing markers.
  private static final int LOG_TAIL = 40;
  private static final long STOP_GRACE_SECONDS = 60;

  private final StepArguments arguments;
  private volatile L3Session session;
  private volatile BodyExecution body;
  private transient volatile Future<?> opening;
  private transient volatile Throwable stopped;
  private transient volatile boolean opened;

  public PromoteL3Execution(StepContext context, StepArguments arguments) {
    super(context);
    this.arguments = arguments;
  }

  @Override
  public boolean start() throws Exception {
    opening = Computer.threadPoolForRemoting.submit(() -> {
      try {
        L3Session made = OnAgent.run(getContext(), new Open(getContext(), arguments));
        // The values to mask go into the body's filter; what is kept (and persisted) is the session without them.
        MaskingFilter masking = new MaskingFilter(made.masked());
        session = made.withoutMasked();
        opened = true;
        if (!session.runsBody()) { // the version is already in L3: nothing to test, close says "unchanged"
          getContext().onSuccess(OnAgent.run(getContext(), new Close(getContext(), credentialsId(), session, true,
              null, List.of())));
          return;
        }
        getContext().get(TaskListener.class).getLogger().println("promoteL3: candidate " + session.candidate()
            + " on stack " + session.stack() + " (namespace " + session.namespace() + "); running the body");
        body = getContext().newBodyInvoker()
            .withContext(EnvironmentExpander.merge(getContext().get(EnvironmentExpander.class),
                EnvironmentExpander.constant(session.environment())))
            .withContext(BodyInvoker.mergeConsoleLogFilters(getContext().get(ConsoleLogFilter.class), masking))
            .withCallback(new Verdict(session, credentialsId()))
            .start();
        if (stopped != null) { // stopped as the open ended, too late to interrupt it
          body.cancel(stopped);
        }
      } catch (Throwable t) {
        opened = true;
        Throwable cause = stopped;
        if (cause != null) { // the engine's line: the candidate rejected as aborted, its stack destroyed
          say(getContext(), t instanceof AbortException ? t.getMessage()
              : "promoteL3: aborted; the agent rejects the candidate and destroys its stack");
        }
        getContext().onFailure(cause != null ? cause : t);
      }
    });
    return false;
  }

  @Override
  public void stop(Throwable cause) throws Exception {
    stopped = cause;
    BodyExecution running = body;
    if (running != null) {
      running.cancel(cause); // the callback then rejects the candidate as aborted and destroys its stack
      return;
    }
    Future<?> task = opening;
    if (task == null) {
      getContext().onFailure(cause);
      return;
    }
    task.cancel(true); // the engine undoes the open, then the task ends the step
    // Native Helm does not answer an interrupt: if opening has not ended by then, end the step without it.
    Timer.get().schedule(() -> {
      if (!opened) {
        getContext().onFailure(cause);
      }
    }, STOP_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void onResume() {
    BodyExecution running = body;
    if (session == null) {
      // Restarted while the candidate and its stack were being made: undo them, found by this build's URL.
      Computer.threadPoolForRemoting.submit(() -> {
        try {
          String undone = OnAgent.run(getContext(), new AbortOpening(getContext(), arguments));
          getContext().onFailure(new AbortException("promoteL3: the controller restarted while the candidate's"
              + " stack was being made: " + undone + "; run the build again"));
        } catch (Throwable t) {
          getContext().onFailure(t);
        }
      });
    } else if (running == null || running.isDone()) {
      // Restarted as the body ended (or, with no body to run, while closing): the candidate's record decides.
      L3Session kept = session;
      Computer.threadPoolForRemoting.submit(() -> {
        try {
          Map<String, Object> result = OnAgent.run(getContext(), new CloseAfterRestart(getContext(), credentialsId(), kept));
          if ("rejected".equals(result.get("verdict"))) {
            getContext().onFailure(new AbortException("promoteL3: candidate " + kept.candidate() + " rejected: "
                + result.get("reason")));
          } else {
            getContext().onSuccess(result);
          }
        } catch (Throwable t) {
          getContext().onFailure(t);
        }
      });
    }
    // Otherwise the body resumes with the build, and its callback gives the verdict.
  }

  private static void say(StepContext context, String line) {
    try {
      context.get(TaskListener.class).getLogger().println(line);
    } catch (Exception e) {
      // no log to write to: the build's own failure still says it was aborted
    }
  }

  /** The step's own chart registry credential, which closing the gate uses too. */
  private String credentialsId() {
    return Steps.registryCredentialsId(arguments);
  }

  /** Promotes or rejects once the body ended; also what runs after a restart, from the serialized session. */
  private static final class Verdict extends BodyExecutionCallback {
    private static final long serialVersionUID = 1L;
    private final L3Session session;
    private final String registryCredentialsId;

    Verdict(L3Session session, String registryCredentialsId) {
      this.session = session;
      this.registryCredentialsId = registryCredentialsId;
    }

    @Override
    public void onSuccess(StepContext context, Object result) {
      Computer.threadPoolForRemoting.submit(() -> {
        try {
          context.onSuccess(OnAgent.run(context, new Close(context, registryCredentialsId, session, true, null,
              List.of())));
        } catch (Throwable t) {
          context.onFailure(t);
        }
      });
    }

    @Override
    public void onFailure(StepContext context, Throwable failure) {
      Computer.threadPoolForRemoting.submit(() -> {
        try {
          if (failure instanceof FlowInterruptedException stop) {
            // Stopped (abort, timeout): no test result, so no test failure; the stack goes in any case.
            Map<String, Object> closed = OnAgent.run(context, new Abort(context, registryCredentialsId, session,
                why(stop)));
            say(context, "promoteL3: aborted: candidate " + session.candidate() + " rejected as "
                + closed.get("reason") + "; stack " + session.stack() + " destroyed");
          } else {
            String reason = failure.getMessage() != null ? failure.getMessage() : failure.toString();
            OnAgent.run(context, new Close(context, registryCredentialsId, session, false, reason,
                bodyOutput(context)));
          }
        } catch (Throwable t) {
          failure.addSuppressed(t);
        }
        context.onFailure(failure); // the build fails with the body's own error
      });
    }

    /** Who or what stopped the build, as Jenkins says it ("Aborted by alice", "Timeout has been exceeded"). */
    private static String why(FlowInterruptedException stop) {
      String causes = stop.getCauses().stream().map(CauseOfInterruption::getShortDescription)
          .filter(text -> text != null && !text.isBlank()).collect(Collectors.joining("; "));
      return causes.isEmpty() ? "the build was stopped" : causes;
    }
  }

  /**
   * The end of the build log when the body failed: the body's last lines as the log shows them (masked by its
   * filter), without Pipeline's markers. The step layer records the last of them as the candidate's reason.
   */
  private static List<String> bodyOutput(StepContext context) {
    try {
      List<String> lines = new ArrayList<>();
      Run<?, ?> run = context.get(Run.class);
      for (String line : run.getLog(LOG_TAIL)) {
        String plain = ConsoleNote.removeNotes(line);
        if (!plain.startsWith("[Pipeline]")) {
          lines.add(plain);
        }
      }
      return lines;
    } catch (IOException | InterruptedException e) {
      return List.of();
    }
  }

  private static final class Open extends OnAgent<L3Session> {
    private static final long serialVersionUID = 1L;
    private final StepArguments arguments;

    Open(StepContext context, StepArguments arguments) throws Exception {
      super(context, Steps.registryCredentialsId(arguments));
      this.arguments = arguments;
    }

    @Override
    L3Session work(StepEnvironment context) {
      return Steps.promoteL3().open(arguments, context);
    }
  }

  private static final class Abort extends OnAgent<Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private final L3Session session;
    private final String why;

    Abort(StepContext context, String registryCredentialsId, L3Session session, String why) throws Exception {
      super(context, registryCredentialsId);
      this.session = session;
      this.why = why;
    }

    @Override
    Map<String, Object> work(StepEnvironment context) {
      return Steps.promoteL3().abort(session, why, context);
    }
  }

  private static final class CloseAfterRestart extends OnAgent<Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private final L3Session session;

    CloseAfterRestart(StepContext context, String registryCredentialsId, L3Session session) throws Exception {
      super(context, registryCredentialsId);
      this.session = session;
    }

    @Override
    Map<String, Object> work(StepEnvironment context) {
      return Steps.promoteL3().closeAfterRestart(session, context);
    }
  }

  private static final class AbortOpening extends OnAgent<String> {
    private static final long serialVersionUID = 1L;
    private final StepArguments arguments;

    AbortOpening(StepContext context, StepArguments arguments) throws Exception {
      super(context, Steps.registryCredentialsId(arguments));
      this.arguments = arguments;
    }

    @Override
    String work(StepEnvironment context) {
      return Steps.promoteL3().abortOpening(arguments, context);
    }
  }

  private static final class Close extends OnAgent<Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private final L3Session session;
    private final boolean bodySucceeded;
    private final String failureReason;
    private final ArrayList<String> bodyOutput;

    Close(StepContext context, String registryCredentialsId, L3Session session, boolean bodySucceeded,
        String failureReason, List<String> bodyOutput) throws Exception {
      super(context, registryCredentialsId);
      this.session = session;
      this.bodySucceeded = bodySucceeded;
      this.failureReason = failureReason;
      this.bodyOutput = new ArrayList<>(bodyOutput);
    }

    @Override
    Map<String, Object> work(StepEnvironment context) {
      return Steps.promoteL3().close(session, bodySucceeded, failureReason, bodyOutput, context);
    }
  }
}
