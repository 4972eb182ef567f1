package io.stackpipe.jenkins;

import hudson.AbortException;
import hudson.console.ConsoleLogFilter;
import hudson.console.ConsoleNote;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.DaemonThreadFactory;
import hudson.util.NamingThreadFactory;
import io.stackpipe.steps.L3Session;
import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepEnvironment;
import io.stackpipe.steps.Steps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jenkinsci.plugins.workflow.steps.BodyExecution;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * {@code promoteL3(service:, version:) { … }}: on the agent, the step layer opens the candidate and its stack; the
 * body runs with the session's environment; then, on the agent again, the candidate is promoted (body succeeded) or
 * rejected with the body's failure and its last lines as reason, and the stack destroyed unless kept. The body's
 * output passes a {@link MaskingFilter} of the stack's decrypted secrets and the body's kubeconfig token. The session
 * is small, serializable and secret-free, kept here and in the body's callback, so a controller restart while the
 * body runs ends the gate normally. Cluster work never runs on the CPS thread.
 */
public final class PromoteL3Execution extends StepExecution {

  private static final long serialVersionUID = 1L;
  // Enough of the log's end to hold the body's last lines after Pipeline's closing markers.
  private static final int LOG_TAIL = 40;
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(
      new NamingThreadFactory(new DaemonThreadFactory(), "Stackpipe promoteL3"));

  private final StepArguments arguments;
  private volatile L3Session session;
  private volatile BodyExecution body;
  private transient volatile Future<?> opening;

  public PromoteL3Execution(StepContext context, StepArguments arguments) {
    super(context);
    this.arguments = arguments;
  }

  @Override
  public boolean start() throws Exception {
    opening = THREADS.submit(() -> {
      try {
        L3Session opened = OnAgent.run(getContext(), new Open(getContext(), arguments));
        // The values to mask go into the body's filter; what is kept (and persisted) is the session without them.
        MaskingFilter masking = new MaskingFilter(opened.masked());
        session = opened.withoutMasked();
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
      } catch (Throwable t) {
        getContext().onFailure(t);
      }
    });
    return false;
  }

  @Override
  public void stop(Throwable cause) throws Exception {
    BodyExecution running = body;
    if (running != null) {
      running.cancel(cause); // the callback then rejects the candidate and destroys its stack
      return;
    }
    Future<?> task = opening;
    if (task != null) {
      task.cancel(true);
    }
    getContext().onFailure(cause);
  }

  @Override
  public void onResume() {
    if (session == null) {
      getContext().onFailure(new AbortException("promoteL3: the controller restarted while the candidate's stack"
          + " was being created; run the build again (the idle reaper removes a stack left behind)"));
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
      THREADS.submit(() -> {
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
      String reason = failure.getMessage() != null ? failure.getMessage() : failure.toString();
      THREADS.submit(() -> {
        try {
          OnAgent.run(context, new Close(context, registryCredentialsId, session, false, reason,
              bodyOutput(context)));
        } catch (Throwable t) {
          failure.addSuppressed(t);
        }
        context.onFailure(failure); // the build fails with the body's own error
      });
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
