package io.stackpipe.stack;

import io.fabric8.kubernetes.api.model.Namespace;
import io.stackpipe.Interrupts;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.kube.KubeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates a stack: its namespace with Stackpipe's labels and annotations (creation is its first activity),
 * then, when {@link #withContent} gave one, what goes into it, under the stack's lock. If the content fails,
 * the stack is destroyed again (unless {@link #keepOnFailure}), so a failure leaves no half-made stack.
 */
public final class CreateStack {

  /** What fills a new stack, e.g. the umbrella chart release; runs with the stack's namespace in place. */
  @FunctionalInterface
  public interface Content {
    void install(Stack stack);
  }

  private static final int MAX_TEXT = 256;

  private final Stacks stacks;
  private final String name;
  private String owner;
  private StackType type = StackType.EPHEMERAL;
  private Duration ttl;
  private String purpose;
  private StackManifest manifest;
  private Content content;
  private boolean keepOnFailure;
  private boolean existingIsFine;
  private boolean madeNow;

  CreateStack(Stacks stacks, String name) {
    this.stacks = stacks;
    this.name = name;
  }

  /** Who the stack is for: a user, a team or a pipeline (required). */
  public CreateStack withOwner(String value) {
    this.owner = value;
    return this;
  }

  public CreateStack withType(StackType value) {
    this.type = value;
    return this;
  }

  /** How long the stack may stay idle before it is reaped (ephemeral only); the reap policy's when absent. */
  public CreateStack withTtl(Duration value) {
    this.ttl = value;
    return this;
  }

  public CreateStack withPurpose(String value) {
    this.purpose = value;
    return this;
  }

  /** The umbrella chart the stack is made from, recorded on it. */
  public CreateStack withManifest(StackManifest value) {
    this.manifest = value;
    return this;
  }

  public CreateStack withContent(Content value) {
    this.content = value;
    return this;
  }

  /** Keeps the stack when its content fails, for a look at what went wrong. */
  public CreateStack keepOnFailure(boolean value) {
    this.keepOnFailure = value;
    return this;
  }

  /**
   * Makes sure the stack exists: an existing stack of this installation of the same type is the result, unchanged
   * (its owner and purpose stay); one of another type is refused. For pipelines that deploy to a persistent stack
   * they may be the first to use ({@link #ensure()}).
   */
  public CreateStack ifAbsent() {
    this.existingIsFine = true;
    return this;
  }

  /** {@link #ifAbsent()} and {@link #call()}, saying whether the stack was made now. */
  public EnsuredStack ensure() {
    ifAbsent();
    Stack stack = call();
    return new EnsuredStack(stack, madeNow);
  }

  public Stack call() {
    String namespace = stacks.namespaceOf(name);
    text("owner", owner, true);
    text("purpose", purpose, false);
    if (ttl != null && type != StackType.EPHEMERAL) {
      throw StackpipeException.ofField("ttl", "only ephemeral stacks are reaped: a " + type.label()
          + " stack takes no ttl");
    }
    if (ttl != null && ttl.compareTo(stacks.reapPolicy().maxKeep()) > 0) {
      throw StackpipeException.ofField("ttl", Durations.format(ttl) + " is over the maximum of "
          + Durations.format(stacks.reapPolicy().maxKeep()));
    }
    Instant now = stacks.now().truncatedTo(ChronoUnit.SECONDS);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY);
    labels.put(Stack.NAME_LABEL, name);
    labels.put(Stack.TYPE_LABEL, type.label());
    labels.put(Stack.INSTALLATION_LABEL, stacks.installation());
    Map<String, String> notes = new LinkedHashMap<>();
    notes.put(Stack.OWNER, owner.strip());
    if (purpose != null && !purpose.isBlank()) {
      notes.put(Stack.PURPOSE, purpose.strip());
    }
    notes.put(Stack.CREATED, now.toString());
    notes.put(Stack.LAST_ACTIVITY, now.toString());
    notes.put(Stack.LAST_ACTIVITY_KIND, Stack.Activity.CREATE.label());
    if (ttl != null) {
      notes.put(Stack.TTL, Durations.format(ttl));
    }
    if (manifest != null) {
      notes.put(Stack.MANIFEST_CHART, manifest.chart());
      notes.put(Stack.MANIFEST_VERSION, manifest.version());
      if (manifest.digest() != null) {
        notes.put(Stack.MANIFEST_DIGEST, manifest.digest());
      }
    }
    Namespace created;
    for (int attempt = 1; ; attempt++) {
      try {
        created = stacks.kube().namespaces().create(namespace, labels, notes);
        break;
      } catch (KubeException e) {
        Namespace existing = stacks.kube().namespaces().get(namespace);
        if (existing == null) {
          throw e;
        }
        Map<String, String> theirs = existing.getMetadata().getLabels() == null ? Map.of()
            : existing.getMetadata().getLabels();
        boolean ours = Stack.MANAGED_BY.equals(theirs.get(Stack.MANAGED_BY_LABEL))
            && stacks.installation().equals(theirs.get(Stack.INSTALLATION_LABEL));
        Stack stack = ours ? Stack.read(existing, now, stacks.reapPolicy()) : null;
        if (attempt == 1 && stack != null && (stack.terminating() || stack.destroying() != null)) {
          // A destroy of the same name returned while Kubernetes still deletes: wait for it, then create.
          stacks.awaitGone(namespace);
          continue;
        }
        if (existingIsFine && stack != null && name.equals(stack.name())) {
          if (stack.type() != type) {
            throw StackpipeException.ofField("type", "\"" + name + "\" exists as a "
                + (stack.type() == null ? "stack of unknown type" : stack.type().label() + " stack")
                + ", not " + type.label());
          }
          madeNow = false;
          return stack;
        }
        throw StackpipeException.ofField("stack", "\"" + name + "\" already exists" + (ours
            ? " (owner " + stack.owner() + ")"
            : ": namespace " + namespace + " is not a stack of installation " + stacks.installation()));
      }
    }
    madeNow = true;
    Stack stack = Stack.read(created, now, stacks.reapPolicy());
    if (content == null) {
      return stack;
    }
    try {
      stacks.lock(name).withHolder(owner + " (create)").call(() -> {
        content.install(stack);
        return null;
      });
    } catch (RuntimeException e) {
      if (Interrupts.aborted(e)) {
        // An abort leaves nothing behind, kept or not: the half-made stack is no failure to look at.
        try {
          Interrupts.uninterrupted(() -> stacks.destroy(name).withVia("aborted create").call());
        } catch (RuntimeException failed) {
          e.addSuppressed(failed);
          throw new StackpipeException("aborted: stack " + name + " was being created; destroying it failed ("
              + Messages.firstLine(failed) + "): destroy it, or the reaper's sweep does", e);
        }
        throw new StackpipeException("aborted: stack " + name + " was being created, and is destroyed", e);
      }
      if (!keepOnFailure) {
        stacks.destroy(name).withVia("failed create").call();
      }
      throw e;
    }
    return stacks.show(name);
  }

  private static void text(String field, String value, boolean required) {
    if (value == null || value.isBlank()) {
      if (required) {
        throw StackpipeException.ofField(field, "is required");
      }
      return;
    }
    if (value.length() > MAX_TEXT || value.chars().anyMatch(Character::isISOControl)) {
      throw StackpipeException.ofField(field, "must be one line of at most " + MAX_TEXT + " characters");
    }
  }
}
