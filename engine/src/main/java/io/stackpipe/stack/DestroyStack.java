package io.stackpipe.stack;

import io.fabric8.kubernetes.api.model.Namespace;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConflictException;
import java.util.List;

/**
 * Destroys one stack: uninstalls its Helm releases and deletes its namespace, recorded (who, when, how) in the
 * installation's destroyed-stack records. A production stack is destroyed only when the caller names it again
 * ({@link #withConfirmation}): one mistyped name in a pipeline or one click must not take production down.
 * Returns once the deletion is under way — the stack shows {@code destroying} until Kubernetes has finished, and
 * the reaper's sweep completes a deletion a crash interrupted — unless asked to {@link #waitUntilGone()}.
 *
 * <pre>{@code
 * StackDestroyed destroyed = stacks.destroy("prod-eu").withConfirmation("prod-eu").call();
 * }</pre>
 */
public final class DestroyStack {
  private static final int CAS_ATTEMPTS = 5;

  private final Stacks stacks;
  private final String name;
  private String confirmation;
  private boolean wait;
  private String via = "destroy";

  DestroyStack(Stacks stacks, String name) {
    this.stacks = stacks;
    this.name = name;
  }

  /** The stack's name once more: required to destroy a production stack (field {@code confirm}). */
  public DestroyStack withConfirmation(String value) {
    confirmation = value;
    return this;
  }

  /** Waits until the namespace is gone (bounded by the stacks' delete timeout) instead of returning at once. */
  public DestroyStack waitUntilGone() {
    wait = true;
    return this;
  }

  /** What destroys the stack, for its record: {@code destroy} (the default), {@code gate}, {@code failed create}. */
  public DestroyStack withVia(String value) {
    via = value;
    return this;
  }

  public StackDestroyed call() {
    String namespace = stacks.namespaceOf(name);
    if (confirmation != null && !confirmation.isBlank() && !confirmation.equals(name)) {
      throw StackpipeException.ofField("confirm", "\"" + confirmation + "\" is not the stack's name (" + name + ")");
    }
    for (int attempt = 1; ; attempt++) {
      Namespace current = stacks.kube().namespaces().get(namespace);
      if (current == null) {
        return new StackDestroyed(name, namespace, List.of(), true, true);
      }
      stacks.requireOurs(name, current);
      Stack stack = Stack.read(current, stacks.now(), stacks.reapPolicy());
      if (stack.type() == StackType.PRODUCTION && !name.equals(confirmation)) {
        throw StackpipeException.ofField("confirm", "\"" + name + "\" is a production stack: destroying it needs"
            + " its name once more as confirmation");
      }
      if (current.getMetadata().getDeletionTimestamp() != null) {
        // Someone else's destroy is under way.
        return new StackDestroyed(name, namespace, List.of(), true, wait && stacks.awaitGone(namespace));
      }
      try {
        return stacks.destroy(current, stacks.lockTimeout(), wait,
            stacks.actor() == null ? via : stacks.actor() + " (" + via + ")", via);
      } catch (KubeConflictException e) {
        if (attempt == CAS_ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
