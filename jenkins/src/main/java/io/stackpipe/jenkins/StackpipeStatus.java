package io.stackpipe.jenkins;

import hudson.Extension;
import hudson.ExtensionList;
import hudson.model.AsyncPeriodicWork;
import hudson.model.TaskListener;
import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Session;
import io.stackpipe.status.StatusReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;

/**
 * The status report the {@code /stackpipe} page shows, built off the request thread: every few seconds while
 * someone looked at the page in the last minutes (so an idle controller does not poll the cluster), one report per
 * refresh however many users look. A page view reads the last report and opens no cluster connection.
 */
@Extension
public final class StackpipeStatus extends AsyncPeriodicWork {

  static final Duration REFRESH = Duration.ofSeconds(5);
  static final Duration WATCHED_FOR = Duration.ofMinutes(10);

  /** The last report, or why the last attempt failed (then the previous report, if any, stays shown). */
  public record Snapshot(StatusReport report, String error, Instant at) {}

  private volatile Snapshot snapshot;
  private volatile Instant lastViewed = Instant.EPOCH;

  public StackpipeStatus() {
    super("Stackpipe status report");
  }

  static StackpipeStatus get() {
    return ExtensionList.lookupSingleton(StackpipeStatus.class);
  }

  /** The latest snapshot ({@code null} until the first refresh after the page was first viewed). */
  Snapshot viewed() {
    lastViewed = Instant.now();
    return snapshot;
  }

  @Override
  public long getRecurrencePeriod() {
    return REFRESH.toMillis();
  }

  @Override
  protected Level getNormalLoggingLevel() {
    // Every few seconds: only failures belong in the log.
    return Level.FINE;
  }

  @Override
  protected void execute(TaskListener listener) throws IOException {
    if (Instant.now().isAfter(lastViewed.plus(WATCHED_FOR))) {
      return;
    }
    Snapshot previous = snapshot;
    try (Session session = ControllerCluster.open()) {
      snapshot = new Snapshot(session.status().call(), null, Instant.now());
    } catch (StackpipeException | IOException e) {
      // A one-line refusal of the engine or of the settings (an unreadable policy file, a missing credential).
      snapshot = new Snapshot(previous == null ? null : previous.report(), e.getMessage(), Instant.now());
      listener.error(e.getMessage());
    }
  }
}
