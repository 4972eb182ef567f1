package io.stackpipe.stack;

import java.time.Duration;
import java.time.Instant;

/**
 * What the reaper does with one listed stack, and why: a pure function of the stack, the instant and the
 * policy, so every rule is tested without a cluster and two reapers reading the same state decide the same.
 *
 * <p>The idle clock starts at the later of the last activity and the keep-until date (capped at last activity +
 * {@code maxKeep}); until keep-until has passed the stack is kept untouched. An ephemeral stack is reaped when
 * idle for its ttl (or the policy's {@code maxIdle}), and warned from {@code warnBefore} earlier.
 *
 * @param reapAt        the planned reap time, {@code null} when the stack is never reaped
 * @param writeWarning  a WARN that still has to be announced (annotation + Event): {@code false} when the
 *                      stack already carries this very planned reap time, so sweeps repeat no warning
 */
public record ReapDecision(Action action, String reason, Instant reapAt, boolean writeWarning) {

  public enum Action { REAP, WARN, KEEP }

  static ReapDecision keep(String reason) {
    return new ReapDecision(Action.KEEP, reason, null, false);
  }

  /** Decides for {@code stack}, listed for {@code installation} with namespace prefix {@code prefix}. */
  public static ReapDecision decide(Stack stack, String installation, String prefix, Instant now, ReapPolicy policy) {
    if (!installation.equals(stack.installation()) || stack.name() == null
        || !stack.namespace().equals(prefix + stack.name())) {
      return keep("not a stack of installation " + installation + " (labels do not match its namespace)");
    }
    if (stack.terminating()) {
      return keep("already being deleted");
    }
    if (stack.destroying() != null) { // whatever its type: the destroy was asked for, a crash interrupted it
      return new ReapDecision(Action.REAP, "finishing a destroy begun at " + stack.destroying(), now, false);
    }
    if (stack.type() == null) {
      return keep("unknown stack type label: never reaped");
    }
    if (stack.type() != StackType.EPHEMERAL) {
      return keep(stack.type().label() + " stacks are never reaped");
    }
    if (stack.lastActivity() == null) {
      return keep("annotation " + Stack.LAST_ACTIVITY + " is missing or unreadable: never reaped until a touch sets it");
    }
    Instant keepUntil = cappedKeepUntil(stack, policy);
    if (keepUntil != null && keepUntil.isAfter(now)) {
      return keep("kept until " + keepUntil + (keepUntil.equals(stack.keepUntil()) ? ""
          : " (keep-until " + stack.keepUntil() + " capped at last activity + " + Durations.format(policy.maxKeep()) + ")"));
    }
    Instant since = since(stack, keepUntil);
    Duration limit = limit(stack, policy);
    Duration idle = Duration.between(since, now);
    Instant reapAt = since.plus(limit);
    String idleText = "idle " + Durations.format(idle) + " since " + (since.equals(stack.lastActivity())
        ? "last activity (" + (stack.lastActivityKind() == null ? "unknown" : stack.lastActivityKind()) + ")"
        : "keep-until") + " at " + since;
    if (!now.isBefore(reapAt)) {
      return new ReapDecision(Action.REAP, idleText + ", limit " + Durations.format(limit), reapAt, false);
    }
    if (!now.isBefore(reapAt.minus(policy.warnBefore()))) {
      return new ReapDecision(Action.WARN, idleText + ": reaped at " + reapAt + " unless there is activity before",
          reapAt, !reapAt.equals(stack.warnedReapAt()));
    }
    return new ReapDecision(Action.KEEP, "active: " + idleText + ", reap planned at " + reapAt, reapAt, false);
  }

  /** The planned reap time of a stack as the policy would decide it, {@code null} when it is never reaped. */
  static Instant plannedReap(Stack stack, ReapPolicy policy) {
    if (stack.type() != StackType.EPHEMERAL || stack.lastActivity() == null) {
      return null;
    }
    return since(stack, cappedKeepUntil(stack, policy)).plus(limit(stack, policy));
  }

  private static Instant since(Stack stack, Instant keepUntil) {
    return keepUntil != null && keepUntil.isAfter(stack.lastActivity()) ? keepUntil : stack.lastActivity();
  }

  private static Duration limit(Stack stack, ReapPolicy policy) {
    Duration ttl = stack.ttl() == null ? policy.maxIdle() : stack.ttl();
    return ttl.compareTo(policy.maxKeep()) > 0 ? policy.maxKeep() : ttl;
  }

  private static Instant cappedKeepUntil(Stack stack, ReapPolicy policy) {
    if (stack.keepUntil() == null || stack.lastActivity() == null) {
      return stack.keepUntil();
    }
    Instant cap = stack.lastActivity().plus(policy.maxKeep());
    return stack.keepUntil().isAfter(cap) ? cap : stack.keepUntil();
  }
}
