package io.stackpipe.jenkins;

import hudson.Extension;
import hudson.model.AsyncPeriodicWork;
import hudson.model.TaskListener;
import io.stackpipe.StackpipeException;
import io.stackpipe.gate.AbandonedCandidate;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.ReapReport;
import java.io.IOException;
import java.util.Locale;

/**
 * Hourly: the engine's reaper over the installation's stacks with the global settings' idle limit and warning
 * period (dry run when the settings say so). Its report goes to the task log
 * ({@code $JENKINS_HOME/logs/tasks/Stackpipe idle-stack reaper.log}).
 */
@Extension
public final class StackpipeReaper extends AsyncPeriodicWork {

  public StackpipeReaper() {
    super("Stackpipe idle-stack reaper");
  }

  @Override
  public long getRecurrencePeriod() {
    return HOUR;
  }

  @Override
  protected void execute(TaskListener listener) throws IOException {
    StackpipeConfiguration settings = StackpipeConfiguration.get();
    try (Session session = ControllerCluster.open()) {
      ReapReport report = session.reaper()
          .withMaxIdle(Settings.duration("maxIdle", settings.getMaxIdle()))
          // Empty: the default, which adapts to the idle time (at most half of it).
          .withWarnBefore(settings.getWarnBefore() == null || settings.getWarnBefore().isBlank() ? null
              : Settings.duration("warnBefore", settings.getWarnBefore()))
          .dryRun(settings.isReaperDryRun())
          .call();
      for (ReapReport.Entry e : report.entries()) {
        listener.getLogger().printf(Locale.ROOT, "%-7s %s (owner %s): %s%n",
            e.outcome().name().toLowerCase(Locale.ROOT), e.stack(), e.owner(), e.reason());
      }
      listener.getLogger().printf(Locale.ROOT, "%d stacks of installation %s: %d reaped, %d warned, %d kept,"
          + " %d failed%s%n", report.entries().size(), report.installation(),
          report.with(ReapReport.Outcome.REAPED).size(), report.with(ReapReport.Outcome.WARNED).size(),
          report.with(ReapReport.Outcome.KEPT).size(), report.with(ReapReport.Outcome.FAILED).size(),
          report.dryRun() ? " (dry run: nothing changed)" : "");
      if (!report.dryRun()) {
        // Candidates whose gate died (a build's controller or process gone): their stacks are gone by now.
        for (AbandonedCandidate closed : session.closeAbandonedGates()) {
          listener.getLogger().printf(Locale.ROOT, "closed  candidate %s (%s %s): %s%n", closed.candidate(),
              closed.service(), closed.version(), closed.reason());
        }
      }
    } catch (StackpipeException e) {
      listener.error(e.getMessage());
    }
  }
}
