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

  public ReapPolicy withMaxIdle(Duration value) {
    return new ReapPolicy(value, warnBefore, maxKeep.compareTo(value) < 0 ? value : maxKeep);
  }

  public ReapPolicy withWarnBefore(Duration value) {
    return new ReapPolicy(maxIdle, value, maxKeep);
  }

  public ReapPolicy withMaxKeep(Duration value) {
    return new ReapPolicy(maxIdle, warnBefore, value);
  }
}
