package io.stackpipe.manifest.l3;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The L3 pointer: ConfigMap {@code <name>-l3} in the control namespace. Data {@value #CURRENT} is the current
 * {@link L3Version}, {@value #HISTORY} the promotions oldest first (both JSON), written together in one
 * compare-and-swap so history never disagrees with the pointer.
 */
final class L3Pointer {
  static final String CURRENT = "l3.json";
  static final String HISTORY = "history.json";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String MANIFEST_LABEL = "stackpipe.io/manifest";
  static final String ROLE_LABEL = "stackpipe.io/role";

  /** The pointer as read: the object (its resourceVersion is what a write compares against) and its records. */
  record Snapshot(ConfigMap object, L3Version current, List<Promotion> history) {
  }

  private final KubeConnection kube;
  private final String namespace;
  private final String name;
  private final int historyLimit;

  L3Pointer(KubeConnection kube, String namespace, String manifest, int historyLimit) {
    this.kube = kube;
    this.namespace = namespace;
    this.name = objectName(manifest);
    this.historyLimit = historyLimit;
  }

  static String objectName(String manifest) {
    return manifest + "-l3";
  }

  String display() {
    return "ConfigMap " + namespace + "/" + name;
  }

  Optional<Snapshot> read() {
    ConfigMap map;
    try {
      map = kube.client().configMaps().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "get", "configmaps", namespace);
    }
    if (map == null) {
      return Optional.empty();
    }
    Map<String, String> data = map.getData() == null ? Map.of() : map.getData();
    if (!data.containsKey(CURRENT)) {
      throw new StackpipeException(display() + " has no " + CURRENT + ": not a Stackpipe L3 pointer");
    }
    L3Version current = L3Json.read(data.get(CURRENT), new TypeReference<L3Version>() { }, display());
    List<Promotion> history = data.containsKey(HISTORY)
        ? L3Json.read(data.get(HISTORY), new TypeReference<List<Promotion>>() { }, display()) : List.of();
    return Optional.of(new Snapshot(map, current, List.copyOf(history)));
  }

  /**
   * Creates the pointer at {@code first}; {@code false} if one exists already (created meanwhile by someone else:
   * exactly one creation succeeds).
   */
  boolean create(L3Version first) {
    ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .addToLabels(MANAGED_BY, "stackpipe").addToLabels(MANIFEST_LABEL, first.manifest())
        .addToLabels(ROLE_LABEL, "l3").endMetadata()
        .withData(data(first, List.of(first.promotion()))).build();
    try {
      kube.client().configMaps().inNamespace(namespace).resource(map).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw kube.translate(e, "create", "configmaps", namespace);
    }
  }

  /**
   * Compare-and-swap: makes {@code next} current only if the pointer is still as {@code read}; a concurrent change
   * is a {@link io.stackpipe.kube.KubeConflictException}.
   */
  void replace(Snapshot read, L3Version next) {
    List<Promotion> history = new ArrayList<>(read.history());
    history.add(next.promotion());
    while (history.size() > historyLimit) {
      history.remove(0);
    }
    ConfigMap edited = new ConfigMapBuilder(read.object()).withData(data(next, history)).build();
    kube.objects().updateIfUnchanged(edited);
  }

  private static Map<String, String> data(L3Version current, List<Promotion> history) {
    Map<String, String> data = new HashMap<>();
    data.put(CURRENT, L3Json.write(current));
    data.put(HISTORY, L3Json.write(history));
    return data;
  }
}
