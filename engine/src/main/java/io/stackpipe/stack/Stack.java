package io.stackpipe.stack;

import io.fabric8.kubernetes.api.model.Namespace;
import io.stackpipe.Result;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A stack as the cluster holds it: a namespace with Stackpipe's labels (what it is, whose installation) and
 * annotations (who, why, when, from which manifest, how long to keep it). Read from the namespace at one
 * instant; {@code idle} and {@code reapAt} are as of that instant.
 *
 * @param type           {@code null} when the type label holds no known type (such a stack is never reaped)
 * @param lastActivity   {@code null} when the annotation is missing or unreadable (see {@code unreadable})
 * @param reapAt         when the reaper will destroy it if nothing happens, {@code null} if never
 * @param warnedReapAt   the planned reap time the reaper announced (annotation), {@code null} before a warning
 * @param destroying     when a destroy began ({@code null} if none): the stack is going, activity is refused
 * @param terminating    Kubernetes is already deleting the namespace
 * @param unreadable     annotations whose value could not be read (named, value not repeated)
 */
public record Stack(String name, String namespace, StackType type, String installation, String owner,
    String purpose, Instant created, Instant lastActivity, String lastActivityKind, StackManifest manifest,
    Duration ttl, Instant keepUntil, Instant warnedReapAt, Instant destroying, boolean terminating,
    Duration idle, Instant reapAt, List<String> unreadable, String resourceVersion) implements Result {

  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "stackpipe";
  public static final String NAME_LABEL = "stackpipe.io/stack";
  public static final String TYPE_LABEL = "stackpipe.io/stack-type";
  public static final String INSTALLATION_LABEL = "stackpipe.io/installation";
  public static final String OWNER = "stackpipe.io/owner";
  public static final String PURPOSE = "stackpipe.io/purpose";
  public static final String CREATED = "stackpipe.io/created";
  public static final String LAST_ACTIVITY = "stackpipe.io/last-activity";
  public static final String LAST_ACTIVITY_KIND = "stackpipe.io/last-activity-kind";
  public static final String MANIFEST_CHART = "stackpipe.io/manifest-chart";
  public static final String MANIFEST_VERSION = "stackpipe.io/manifest-version";
  public static final String MANIFEST_DIGEST = "stackpipe.io/manifest-digest";
  public static final String TTL = "stackpipe.io/ttl";
  public static final String KEEP_UNTIL = "stackpipe.io/keep-until";
  public static final String REAP_AT = "stackpipe.io/reap-at";
  public static final String DESTROYING = "stackpipe.io/destroying";

  /** What counts as activity: each resets the idle clock and clears a reap warning. */
  public enum Activity {
    CREATE, DEPLOY, TOUCH, EXTEND;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Stack {
    unreadable = List.copyOf(unreadable);
  }

  /** Reads a namespace carrying Stackpipe's labels, as of {@code now}, with {@code policy}'s reap rules. */
  public static Stack read(Namespace namespace, Instant now, ReapPolicy policy) {
    var meta = namespace.getMetadata();
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    Map<String, String> notes = meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    List<String> unreadable = new ArrayList<>();
    Instant created = instant(notes, CREATED, unreadable);
    Instant lastActivity = instant(notes, LAST_ACTIVITY, unreadable);
    if (lastActivity == null && !unreadable.contains(LAST_ACTIVITY)) {
      unreadable.add(LAST_ACTIVITY);
    }
    Duration ttl = null;
    if (notes.get(TTL) != null) {
      try {
        ttl = Durations.parse(notes.get(TTL));
      } catch (IllegalArgumentException e) {
        unreadable.add(TTL);
      }
    }
    Instant keepUntil = instant(notes, KEEP_UNTIL, unreadable);
    StackManifest manifest = notes.get(MANIFEST_CHART) == null ? null
        : new StackManifest(notes.get(MANIFEST_CHART), notes.get(MANIFEST_VERSION), notes.get(MANIFEST_DIGEST));
    StackType type = StackType.fromLabel(labels.get(TYPE_LABEL));
    Stack raw = new Stack(labels.get(NAME_LABEL), meta.getName(), type, labels.get(INSTALLATION_LABEL),
        notes.get(OWNER), notes.get(PURPOSE), created, lastActivity, notes.get(LAST_ACTIVITY_KIND), manifest, ttl,
        keepUntil, instant(notes, REAP_AT, unreadable), instant(notes, DESTROYING, unreadable),
        meta.getDeletionTimestamp() != null, lastActivity == null ? null : Duration.between(lastActivity, now),
        null, unreadable, meta.getResourceVersion());
    return raw.withReapAt(ReapDecision.plannedReap(raw, policy));
  }

  private Stack withReapAt(Instant value) {
    return new Stack(name, namespace, type, installation, owner, purpose, created, lastActivity, lastActivityKind,
        manifest, ttl, keepUntil, warnedReapAt, destroying, terminating, idle, value, unreadable, resourceVersion);
  }

  private static Instant instant(Map<String, String> notes, String key, List<String> unreadable) {
    String value = notes.get(key);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      unreadable.add(key);
      return null;
    }
  }

  /** Its state in one word: {@code active}, {@code destroying} or {@code terminating}. */
  public String state() {
    return terminating ? "terminating" : destroying != null ? "destroying" : "active";
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", name);
    map.put("namespace", namespace);
    map.put("type", type == null ? null : type.label());
    map.put("installation", installation);
    map.put("state", state());
    map.put("owner", owner);
    map.put("purpose", purpose);
    map.put("created", text(created));
    map.put("lastActivity", text(lastActivity));
    map.put("lastActivityKind", lastActivityKind);
    map.put("idle", idle == null ? null : Durations.format(idle));
    map.put("idleSeconds", idle == null ? null : idle.getSeconds());
    map.put("ttl", ttl == null ? null : Durations.format(ttl));
    map.put("keepUntil", text(keepUntil));
    map.put("reapAt", text(reapAt));
    map.put("reapWarned", warnedReapAt != null);
    map.put("manifest", manifest == null ? null : manifest.toMap());
    if (!unreadable.isEmpty()) {
      map.put("unreadable", unreadable);
    }
    return map;
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
