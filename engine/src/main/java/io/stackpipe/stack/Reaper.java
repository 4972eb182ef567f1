package io.stackpipe.stack;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.kube.KubeConflictException;
import io.stackpipe.kube.KubeException;
import io.stackpipe.stack.ReapReport.Entry;
import io.stackpipe.stack.ReapReport.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Destroys idle ephemeral stacks of one installation and warns their owners first. One sweep reads all stacks
 * with ONE label-selected LIST, decides each with {@link ReapDecision} (a pure function), and writes only for
 * stacks to warn or reap:
 * <ul>
 *   <li>warn: a Kubernetes Event on the namespace (named after the planned reap time, so a repeat is a no-op),
 *       then the planned reap time annotated by compare-and-swap;</li>
 *   <li>reap: the stack's lock taken without waiting (a deploy in progress keeps it), the stack marked
 *       "destroying" by compare-and-swap on the listed resourceVersion (activity since the LIST wins), its Helm
 *       releases uninstalled and its namespace deleted.</li>
 * </ul>
 * A conflict re-reads that one stack and decides again; a stack another sweep already deleted counts as reaped.
 * A sweep that crashes leaves each stack either untouched, warned, or marked destroying, which the next sweep
 * finishes, whatever the stack's type. Otherwise persistent and production stacks, other installations' stacks and
 * unlabelled namespaces are never written to (the latter two are not even listed). A sweep also prunes the
 * destroyed-stack records older than {@value StackRecords#KEEP_DAYS} days.
 */
public final class Reaper {
  private static final int ATTEMPTS = 3;

  private final Stacks stacks;
  private Duration maxIdle;
  private Duration warnBefore;
  private Duration maxKeep;
  private boolean dryRun;

  Reaper(Stacks stacks) {
    this.stacks = stacks;
  }

  /** Reap stacks idle this long; {@code null} keeps the stacks' policy (see {@link ReapPolicy#with}). */
  public Reaper withMaxIdle(Duration value) {
    maxIdle = value;
    return this;
  }

  /** Warn this long before reaping; {@code null} keeps the default, at most half the idle time. */
  public Reaper withWarnBefore(Duration value) {
    warnBefore = value;
    return this;
  }

  /** The cap on any stack's ttl and keep-until, counted from its last activity; {@code null}: the default. */
  public Reaper withMaxKeep(Duration value) {
    maxKeep = value;
    return this;
  }

  /** Decides and reports without writing anything. */
  public Reaper dryRun(boolean value) {
    dryRun = value;
    return this;
  }

  /** The policy this sweep applies: the values set here over the stacks' policy, checked together. */
  private ReapPolicy policy() {
    return stacks.reapPolicy().with(maxIdle, warnBefore, maxKeep);
  }

  public ReapReport call() {
    ReapPolicy policy = policy();
    Instant now = stacks.now();
    List<Entry> entries = new ArrayList<>();
    for (Namespace listed : stacks.kube().namespaces().list(stacks.selector())) {
      entries.add(sweep(listed, now, policy));
    }
    if (!dryRun && stacks.records() != null) {
      stacks.records().prune(now);
    }
    return new ReapReport(now, stacks.installation(), dryRun, policy, entries);
  }

  private Entry sweep(Namespace namespace, Instant now, ReapPolicy policy) {
    Stack stack = Stack.read(namespace, now, policy);
    for (int attempt = 1; ; attempt++) {
      ReapDecision decision = ReapDecision.decide(stack, stacks.installation(), stacks.namespacePrefix(), now, policy);
      try {
        return act(namespace, stack, decision, now);
      } catch (KubeConflictException e) {
        // Changed since it was read (activity, another reaper): read it again and decide again.
        Namespace current = stacks.kube().namespaces().get(namespace.getMetadata().getName());
        if (current == null) {
          return entry(stack, Outcome.REAPED, "already deleted by another sweep", decision.reapAt());
        }
        if (attempt == ATTEMPTS) {
          return entry(stack, Outcome.FAILED, "kept changing while the sweep wrote to it: " + e.getMessage(), null);
        }
        namespace = current;
        stack = Stack.read(current, now, policy);
      } catch (StackLockedException e) {
        return entry(stack, Outcome.KEPT, "due (" + decision.reason() + ") but locked: " + e.getMessage(),
            decision.reapAt());
      } catch (KubeException e) {
        Namespace current = stacks.kube().namespaces().get(namespace.getMetadata().getName());
        if (current == null || current.getMetadata().getDeletionTimestamp() != null) {
          return entry(stack, Outcome.REAPED, "already deleted by another sweep", decision.reapAt());
        }
        return entry(stack, Outcome.FAILED, e.getMessage(), decision.reapAt());
      }
    }
  }

  private Entry act(Namespace namespace, Stack stack, ReapDecision decision, Instant now) {
    String would = dryRun ? "would be " : "";
    switch (decision.action()) {
      case KEEP -> {
        return entry(stack, Outcome.KEPT, decision.reason(), decision.reapAt());
      }
      case WARN -> {
        if (!dryRun && decision.writeWarning()) {
          event(namespace, stack, decision, now);
          namespace.getMetadata().getAnnotations().put(Stack.REAP_AT, decision.reapAt().toString());
          stacks.kube().objects().updateIfUnchanged(namespace);
        }
        return entry(stack, Outcome.WARNED, (dryRun ? "would warn: " : decision.writeWarning() ? "" : "warned before: ")
            + decision.reason(), decision.reapAt());
      }
      default -> {
        if (dryRun) {
          return entry(stack, Outcome.REAPED, would + "reaped: " + decision.reason(), decision.reapAt());
        }
        StackDestroyed destroyed = stacks.destroy(namespace, Duration.ZERO, false, "stackpipe reaper", "reaper");
        return entry(stack, Outcome.REAPED, decision.reason() + (destroyed.releases().isEmpty() ? ""
            : "; uninstalled " + String.join(", ", destroyed.releases())), decision.reapAt());
      }
    }
  }

  /** A Warning Event on the namespace; named by the planned reap time, so announcing twice creates it once. */
  private void event(Namespace namespace, Stack stack, ReapDecision decision, Instant now) {
    String ns = namespace.getMetadata().getName();
    String time = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    var event = new EventBuilder()
        .withNewMetadata().withName("stackpipe-reap." + decision.reapAt().getEpochSecond()).withNamespace(ns)
        .addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).endMetadata()
        .withNewInvolvedObject().withApiVersion("v1").withKind("Namespace").withName(ns).withNamespace(ns)
        .withUid(namespace.getMetadata().getUid()).endInvolvedObject()
        .withType("Warning").withReason("StackReapPlanned")
        .withMessage("stack " + stack.name() + (stack.owner() == null ? "" : " (owner " + stack.owner() + ")")
            + " will be reaped at " + decision.reapAt() + ": " + decision.reason())
        .withNewSource().withComponent("stackpipe-reaper").endSource()
        .withFirstTimestamp(time).withLastTimestamp(time).withCount(1)
        .build();
    try {
      stacks.kube().client().v1().events().inNamespace(ns).resource(event).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw stacks.kube().translate(e, "create", "events", ns);
      }
    }
  }

  private static Entry entry(Stack stack, Outcome outcome, String reason, Instant reapAt) {
    return new Entry(stack.name(), stack.namespace(), stack.owner(), outcome, reason, reapAt);
  }
}
