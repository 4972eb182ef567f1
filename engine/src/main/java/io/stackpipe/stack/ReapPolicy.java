package io.stackpipe.stack;

import io.stackpipe.StackpipeException;
import java.time.Duration;

/**
 * When idle ephemeral stacks go: reaped after {@code maxIdle} without activity (a stack's own {@code ttl}
 * replaces it), warned {@code warnBefore} earlier, and no stack kept longer than {@code maxKeep} after its last
 * activity, whatever its ttl or keep-until say.
 */
public record ReapPolicy(Duration maxIdle, Duration warnBefore, Duration maxKeep) {
  public static final ReapPolicy DEFAULT = new ReapPolicy(Duration.ofDays(7), Duration.ofHours(24), Duration.ofDays(30));

  public ReapPolicy {
    if (maxIdle.isNegative() || maxIdle.isZero()) {
      throw StackpipeException.ofField("maxIdle", "must be positive");
    }
    if (warnBefore.isNegative() || warnBefore.compareTo(maxIdle) >= 0) {
      throw StackpipeException.ofField("warnBefore", Durations.format(warnBefore) + " must be shorter than the"
          + " maximum idle time " + Durations.format(maxIdle));
    }
    if (maxKeep.compareTo(maxIdle) < 0) {
      throw StackpipeException.ofField("maxKeep", Durations.format(maxKeep) + " is shorter than the maximum idle"
          + " time " + Durations.format(maxIdle));
    }
  }

  /**
   * This policy with the values a user set ({@code null}: not set), checked once, whatever order they were given
   * in. A value left out adapts to those set rather than contradict them: {@code maxIdle} is at most
   * {@code maxKeep}, {@code warnBefore} at most half of {@code maxIdle}, {@code maxKeep} at least {@code maxIdle}.
   * Only values the user set can be refused, each naming its field.
   */
  public ReapPolicy with(Duration maxIdle, Duration warnBefore, Duration maxKeep) {
    if (maxIdle == null && warnBefore == null && maxKeep == null) {
      return this;
    }
    Duration idle = maxIdle != null ? maxIdle : maxKeep != null ? min(this.maxIdle, maxKeep) : this.maxIdle;
    if (idle.isNegative() || idle.isZero()) {
      throw StackpipeException.ofField(maxIdle != null ? "maxIdle" : "maxKeep", "must be positive");
    }
    return new ReapPolicy(idle, warnBefore != null ? warnBefore : min(this.warnBefore, idle.dividedBy(2)),
        maxKeep != null ? maxKeep : max(this.maxKeep, idle));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
