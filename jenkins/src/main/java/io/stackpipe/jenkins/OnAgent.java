package io.stackpipe.jenkins;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Cause;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.User;
import hudson.remoting.VirtualChannel;
import hudson.slaves.WorkspaceList;
import io.stackpipe.steps.StepEnvironment;
import io.stackpipe.steps.StepException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import jenkins.MasterToSlaveFileCallable;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * A step's work on the agent that holds the workspace: the chart and its profiles are there, and Helm runs there,
 * not on the controller. Built on the controller from the build (settings with credentials resolved, the build's
 * user and environment), shipped with its small serializable inputs; the result comes back as a small map. A
 * refusal of the step layer becomes an {@link AbortException} carrying its one line (no stack trace in the log).
 */
abstract class OnAgent<T> extends MasterToSlaveFileCallable<T> {

  private static final long serialVersionUID = 1L;

  private final Settings settings;
  private final String user;
  private final LinkedHashSet<String> groups = new LinkedHashSet<>();
  private final String buildUrl;
  private final HashMap<String, String> environment;
  private final String tempDirectory;
  private final TaskListener listener;

  /** {@code registryCredentialsId}: the step's own chart registry credential, null for the settings' ones. */
  OnAgent(StepContext context, String registryCredentialsId) throws IOException, InterruptedException {
    Run<?, ?> run = context.get(Run.class);
    settings = Settings.forRun(run, registryCredentialsId);
    Cause.UserIdCause cause = run.getCause(Cause.UserIdCause.class);
    user = cause == null ? null : cause.getUserId();
    User account = user == null ? null : User.getById(user, false);
    if (account != null) {
      groups.addAll(account.getAuthorities());
    }
    // Without a root URL (not configured yet) the build's path below Jenkins still names it, and the page links it.
    String root = Jenkins.get().getRootUrl();
    buildUrl = root == null ? run.getUrl() : root + run.getUrl();
    environment = new HashMap<>(context.get(EnvVars.class));
    tempDirectory = WorkspaceList.tempDir(context.get(FilePath.class)).getRemote();
    listener = context.get(TaskListener.class);
  }

  /** Runs {@code work} on the agent of {@code context}'s workspace. */
  static <T> T run(StepContext context, OnAgent<T> work)
      throws IOException, InterruptedException {
    return context.get(FilePath.class).act(work);
  }

  abstract T work(StepEnvironment context);

  @Override
  public T invoke(File workspace, VirtualChannel channel) throws IOException {
    Map<String, String> variables = new HashMap<>(environment);
    settings.environment().forEach((name, value) -> variables.put(name, value.reveal()));
    StepEnvironment context = StepEnvironment.in(workspace.toPath(), settings.steps())
        .withTempDirectory(Path.of(tempDirectory))
        .withUser(user, groups)
        .withBuildUrl(buildUrl)
        .withEnvironment(variables, Path.of(System.getProperty("user.home")))
        .withProgress(listener.getLogger()::println);
    try {
      // A fresh node {} has no workspace yet: make it, as sh does, so a step reads "no chart in ." and not
      // "not a directory".
      Files.createDirectories(workspace.toPath());
      // What a build whose controller or agent crashed left in @tmp (kubeconfigs, decrypted files) goes first.
      context.removeLeftovers();
      return work(context);
    } catch (StepException e) {
      throw new AbortException(e.getMessage());
    } finally {
      // On an agent the build log's stream is buffered and flushed by a timer: unflushed, a step's lines arrived
      // under the next step and the last step's never arrived (seen with an inbound agent in a real controller).
      listener.getLogger().flush();
    }
  }
}
