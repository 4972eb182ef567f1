package io.stackpipe.stack;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.kube.KubeConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The installation's records of destroyed stacks: a stack's own history goes with its namespace, so each destroy
 * writes one small ConfigMap in the control namespace (one object per destroy: fifty gates destroying at once
 * never contend on a shared record). Written before the namespace is deleted, so no destroy goes unrecorded;
 * kept {@value #KEEP_DAYS} days, pruned by the reaper's sweep.
 */
public final class StackRecords {
  static final String RECORD_LABEL = "stackpipe.io/record";
  static final String DESTROYED = "destroyed-stack";
  static final int KEEP_DAYS = 30;
  private static final String UNKNOWN = "unknown";

  private final KubeConnection kube;
  private final String namespace;
  private final String installation;

  StackRecords(KubeConnection kube, String namespace, String installation) {
    this.kube = kube;
    this.namespace = namespace;
    this.installation = installation;
  }

  void destroyed(Stack stack, Instant at, String actor, String via) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("name", stack.name());
    data.put("namespace", stack.namespace());
    put(data, "type", stack.type() == null ? null : stack.type().label());
    put(data, "owner", stack.owner());
    put(data, "purpose", stack.purpose());
    put(data, "created", stack.created() == null ? null : stack.created().toString());
    data.put("destroyedAt", at.toString());
    data.put("destroyedBy", actor == null || actor.isBlank() ? UNKNOWN : actor);
    data.put("via", via);
    kube.namespaces().ensure(namespace, Map.of(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY), Map.of());
    ConfigMap record = new ConfigMapBuilder().withNewMetadata()
        .withName("stackpipe-destroyed." + stack.namespace() + "." + at.getEpochSecond()).withNamespace(namespace)
        .addToLabels(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY).addToLabels(Stack.INSTALLATION_LABEL, installation)
        .addToLabels(RECORD_LABEL, DESTROYED).addToLabels(Stack.NAME_LABEL, stack.name())
        .endMetadata().withData(data).build();
    try {
      kube.client().configMaps().inNamespace(namespace).resource(record).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) { // the same stack destroyed twice within a second: recorded once
        throw kube.translate(e, "create", "configmaps", namespace);
      }
    }
  }

  /** The installation's destroyed stacks, newest first, one LIST; {@code stack} (null for all) filters by name. */
  public List<DestroyedStack> list(String stack) {
    return records(stack).stream().map(StackRecords::read)
        .sorted(Comparator.comparing(DestroyedStack::destroyedAt).reversed()).toList();
  }

  /** Deletes the records older than {@value #KEEP_DAYS} days as of {@code now}; returns how many. */
  int prune(Instant now) {
    Instant oldest = now.minus(Duration.ofDays(KEEP_DAYS));
    int pruned = 0;
    for (ConfigMap record : records(null)) {
      if (read(record).destroyedAt().isBefore(oldest)) {
        try {
          kube.client().configMaps().inNamespace(namespace).resource(record).delete();
          pruned++;
        } catch (KubernetesClientException e) {
          throw kube.translate(e, "delete", "configmaps", namespace);
        }
      }
    }
    return pruned;
  }

  private List<ConfigMap> records(String stack) {
    var selected = kube.client().configMaps().inNamespace(namespace).withLabel(RECORD_LABEL, DESTROYED)
        .withLabel(Stack.INSTALLATION_LABEL, installation);
    if (stack != null) {
      selected = selected.withLabel(Stack.NAME_LABEL, stack);
    }
    try {
      return selected.list().getItems();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "list", "configmaps", namespace);
    }
  }

  private static DestroyedStack read(ConfigMap map) {
    Map<String, String> data = map.getData() == null ? Map.of() : map.getData();
    return new DestroyedStack(data.get("name"), data.get("namespace"), StackType.fromLabel(data.get("type")),
        data.get("owner"), data.get("purpose"), instant(data.get("created")),
        instantOr(data.get("destroyedAt"), Instant.EPOCH), data.getOrDefault("destroyedBy", UNKNOWN),
        data.getOrDefault("via", UNKNOWN));
  }

  private static Instant instant(String text) {
    return instantOr(text, null);
  }

  private static Instant instantOr(String text, Instant otherwise) {
    try {
      return text == null ? otherwise : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return otherwise;
    }
  }

  private static void put(Map<String, String> data, String key, String value) {
    if (value != null) {
      data.put(key, value);
    }
  }
}
