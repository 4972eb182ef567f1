package io.stackpipe.stack;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConflictException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeException;
import io.stackpipe.kube.Selector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The stacks of one Stackpipe installation on one cluster. All state is in the cluster (labels and annotations
 * of the stacks' namespaces, a Lease per stack), so every CLI and CI agent sees the same stacks; two
 * installations on one cluster (different ids) never see or touch each other's stacks.
 *
 * <p>A builder: the {@code with…} methods configure this instance and return it.
 */
public final class Stacks {
  private static final int CAS_ATTEMPTS = 5;

  private final KubeConnection kube;
  private final String installation;
  private String prefix;
  private Clock clock;
  private ReapPolicy policy;
  private Duration lockTimeout;
  private Duration deleteTimeout;
  private StackRecords records;
  private String actor;

  private Stacks(KubeConnection kube, String installation, String prefix, Clock clock, ReapPolicy policy,
      Duration lockTimeout, Duration deleteTimeout) {
    this.kube = kube;
    this.installation = installation;
    this.prefix = prefix;
    this.clock = clock;
    this.policy = policy;
    this.lockTimeout = lockTimeout;
    this.deleteTimeout = deleteTimeout;
  }

  /** The stacks of {@code installation} (a label value, e.g. {@code default} or {@code ci-eu}). */
  public static Stacks on(KubeConnection kube, String installation) {
    return new Stacks(kube, StackNames.checkInstallation(installation), "", Clock.systemUTC(), ReapPolicy.DEFAULT,
        Duration.ofSeconds(30), Duration.ofMinutes(2));
  }

  /** Stack {@code x} lives in namespace {@code prefix + x}; empty by default. */
  public Stacks withNamespacePrefix(String value) {
    prefix = value == null ? "" : value;
    return this;
  }

  public Stacks withClock(Clock value) {
    clock = value;
    return this;
  }

  /** The reap rules that listings show planned reap times by, and that cap ttl and keep-until. */
  public Stacks withReapPolicy(ReapPolicy value) {
    policy = value;
    return this;
  }

  /** How long destroy waits for a stack's lock held by someone else (a deploy in progress). */
  public Stacks withLockTimeout(Duration value) {
    lockTimeout = value;
    return this;
  }

  /** How long destroy waits for the namespace to be gone. */
  public Stacks withDeleteTimeout(Duration value) {
    deleteTimeout = value;
    return this;
  }

  /** Records every destroy in {@code controlNamespace} (see {@link StackRecords}); none are kept without it. */
  public Stacks withRecordsIn(String controlNamespace) {
    records = controlNamespace == null ? null : new StackRecords(kube, controlNamespace, installation);
    return this;
  }

  /** Who acts (a user, a build): the destroyed-stack records name them. */
  public Stacks withActor(String value) {
    actor = value;
    return this;
  }

  /** The records of destroyed stacks; empty without {@link #withRecordsIn}. */
  public List<DestroyedStack> destroyed(String stack) {
    return records == null ? List.of() : records.list(stack);
  }

  String actor() {
    return actor;
  }

  StackRecords records() {
    return records;
  }

  public String installation() {
    return installation;
  }

  /** The prefix, checked here rather than in its wither (field {@code namespacePrefix}). */
  public String namespacePrefix() {
    return StackNames.checkPrefix(prefix);
  }

  public Clock clock() {
    return clock;
  }

  public ReapPolicy reapPolicy() {
    return policy;
  }

  /** The cluster the stacks live on (a deploy installs there). */
  public KubeConnection kube() {
    return kube;
  }

  /** The namespace that holds stack {@code name}; refuses an invalid name (field {@code stack}). */
  public String namespaceOf(String name) {
    return StackNames.namespaceFor(namespacePrefix(), name);
  }

  /** The one selector every listing uses: Stackpipe-managed namespaces of this installation. */
  public Selector selector() {
    namespacePrefix(); // a bad prefix is refused by every verb, listings included
    return Selector.all().in(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).in(Stack.INSTALLATION_LABEL, installation);
  }

  public CreateStack create(String name) {
    return new CreateStack(this, name);
  }

  /** Every stack of the installation in one LIST; {@code owner} ({@code null} for all) filters by owner. */
  public StackList list(String owner) {
    Instant now = now();
    List<Stack> stacks = kube.namespaces().list(selector()).stream().map(ns -> Stack.read(ns, now, policy))
        .filter(s -> owner == null || owner.equals(s.owner())).toList();
    return new StackList(now, installation, stacks);
  }

  /** The stack, or a refusal naming it when there is none in this installation. */
  public Stack show(String name) {
    return Stack.read(require(name), now(), policy);
  }

  /** Records activity now: the idle clock restarts and a reap warning is cleared. */
  public Stack touch(String name) {
    return recordActivity(name, Stack.Activity.TOUCH);
  }

  /** Records {@code activity} (a deploy calls this with DEPLOY) on the stack. */
  public Stack recordActivity(String name, Stack.Activity activity) {
    return update(name, ns -> activity(ns, activity, now()));
  }

  /**
   * Keeps the stack until {@code until} (an activity too): the reaper leaves it alone until then and counts
   * idle time from then on. Capped at now + the reap policy's maximum, and at {@code policyCap} (the stack
   * policy's max keep-until) when given; the returned stack shows the keep-until actually set.
   */
  public Stack extend(String name, Instant until, Duration policyCap) {
    Instant now = now();
    if (!until.isAfter(now)) {
      throw StackpipeException.ofField("until", until + " is not in the future");
    }
    Duration cap = policyCap != null && policyCap.compareTo(policy.maxKeep()) < 0 ? policyCap : policy.maxKeep();
    Instant capped = until.isAfter(now.plus(cap)) ? now.plus(cap) : until;
    return update(name, ns -> {
      activity(ns, Stack.Activity.EXTEND, now);
      ns.getMetadata().getAnnotations().put(Stack.KEEP_UNTIL, capped.truncatedTo(ChronoUnit.SECONDS).toString());
    });
  }

  /** The destroy of stack {@code name}, to configure and {@code call()}. */
  public DestroyStack destroy(String name) {
    return new DestroyStack(this, name);
  }

  /**
   * Destroys the stack in {@code listed}, whose resourceVersion is a precondition: if the stack changed since
   * (e.g. a touch), {@link KubeConflictException} and nothing is destroyed. Crash-safe: the first write marks
   * the stack as destroying, and whoever finds that mark later finishes the job. {@code via} says in the
   * destroyed-stack record what destroyed it (destroy, reaper, gate).
   */
  StackDestroyed destroy(Namespace listed, Duration lockWait, boolean wait, String holder, String via) {
    String namespace = listed.getMetadata().getName();
    String name = listed.getMetadata().getLabels().get(Stack.NAME_LABEL);
    if (listed.getMetadata().getAnnotations() == null) {
      listed.getMetadata().setAnnotations(new HashMap<>());
    }
    try (StackLock.Held held = lock(name).withHolder(holder).withTimeout(lockWait).acquire()) {
      if (listed.getMetadata().getDeletionTimestamp() == null
          && !listed.getMetadata().getAnnotations().containsKey(Stack.DESTROYING)) {
        Instant now = now().truncatedTo(ChronoUnit.SECONDS);
        listed.getMetadata().getAnnotations().put(Stack.DESTROYING, now.toString());
        try {
          kube.objects().updateIfUnchanged(listed);
        } catch (KubeException e) {
          if (kube.namespaces().get(namespace) == null) {
            return new StackDestroyed(name, namespace, List.of(), true, true);
          }
          throw e;
        }
        if (records != null) {
          records.destroyed(Stack.read(listed, now, policy), now, actor, via);
        }
      }
      List<String> releases = new ArrayList<>();
      if (hasHelmReleases(namespace)) {
        for (var release : kube.releases().list(namespace)) {
          kube.releases().uninstall(release.name(), namespace);
          releases.add(release.name());
        }
      }
      boolean deleted = delete(namespace);
      boolean gone = !deleted || (wait && awaitGone(namespace));
      return new StackDestroyed(name, namespace, releases, !deleted && releases.isEmpty(), gone);
    }
  }

  /** Waits (the delete timeout at most) until {@code namespace}, being deleted, is gone. */
  boolean awaitGone(String namespace) {
    kube.namespaces().deleteAndWait(namespace, deleteTimeout);
    return true;
  }

  Duration lockTimeout() {
    return lockTimeout;
  }

  /** The stack's lock (one deploy, create or destroy at a time), to configure and acquire. */
  public StackLock lock(String name) {
    return new StackLock(kube, name, namespaceOf(name), clock).withTimeout(lockTimeout);
  }

  /** The reaper of this installation's idle ephemeral stacks, with this service's reap policy. */
  public Reaper reaper() {
    return new Reaper(this);
  }

  Instant now() {
    return clock.instant();
  }

  /** Activity annotations: last-activity now, its kind, and no pending reap warning. */
  static void activity(Namespace ns, Stack.Activity activity, Instant now) {
    Map<String, String> notes = ns.getMetadata().getAnnotations();
    notes.put(Stack.LAST_ACTIVITY, now.truncatedTo(ChronoUnit.SECONDS).toString());
    notes.put(Stack.LAST_ACTIVITY_KIND, activity.label());
    notes.remove(Stack.REAP_AT);
  }

  private Stack update(String name, Consumer<Namespace> edit) {
    for (int attempt = 1; ; attempt++) {
      Namespace ns = require(name);
      if (ns.getMetadata().getDeletionTimestamp() != null || ns.getMetadata().getAnnotations().containsKey(Stack.DESTROYING)) {
        throw StackpipeException.ofField("stack", "\"" + name + "\" is being destroyed");
      }
      edit.accept(ns);
      try {
        return Stack.read(kube.objects().updateIfUnchanged(ns), now(), policy);
      } catch (KubeConflictException e) {
        if (attempt == CAS_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private Namespace require(String name) {
    String namespace = namespaceOf(name);
    Namespace ns = kube.namespaces().get(namespace);
    if (ns == null) {
      throw StackpipeException.ofField("stack", "no stack \"" + name + "\" in installation " + installation
          + " (no namespace " + namespace + ")");
    }
    requireOurs(name, ns);
    if (ns.getMetadata().getAnnotations() == null) {
      ns.getMetadata().setAnnotations(new HashMap<>());
    }
    return ns;
  }

  void requireOurs(String name, Namespace ns) {
    Map<String, String> labels = ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
    if (!Stack.MANAGED_BY.equals(labels.get(Stack.MANAGED_BY_LABEL)) || !name.equals(labels.get(Stack.NAME_LABEL))) {
      throw StackpipeException.ofField("stack", "namespace " + ns.getMetadata().getName()
          + " exists but is not a Stackpipe stack: left alone");
    }
    if (!installation.equals(labels.get(Stack.INSTALLATION_LABEL))) {
      throw StackpipeException.ofField("stack", "\"" + name + "\" belongs to installation "
          + labels.get(Stack.INSTALLATION_LABEL) + ", not " + installation + ": left alone");
    }
  }

  private boolean hasHelmReleases(String namespace) {
    try {
      return !kube.client().secrets().inNamespace(namespace).withLabel("owner", "helm").list().getItems().isEmpty();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "list", "secrets", namespace);
    }
  }

  private boolean delete(String namespace) {
    try {
      return !kube.client().namespaces().withName(namespace).delete().isEmpty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw kube.translate(e, "delete", "namespaces", null);
    }
  }
}
