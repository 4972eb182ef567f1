package io.stackpipe.deploy.record;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A stack's deploy history and open canaries, in the cluster: one ConfigMap {@value #NAME} in the stack's
 * namespace, the newest {@value #MAX_ENTRIES} entries kept. Every write is a compare-and-swap on its
 * resourceVersion, retried on conflict, so two front ends recording at once both land.
 */
public final class DeployHistory {
  public static final String NAME = "stackpipe-deploys";
  static final int MAX_ENTRIES = 50;
  private static final int ATTEMPTS = 8;
  private static final String HISTORY = "history.json";
  private static final String CANARIES = "canaries.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the ConfigMap holds: entries oldest first, canaries by release name. */
  public record State(List<DeployEntry> entries, Map<String, CanaryRecord> canaries) {
  }

  private final KubeConnection kube;
  private final String namespace;

  public DeployHistory(KubeConnection kube, String namespace) {
    this.kube = kube;
    this.namespace = namespace;
  }

  public State read() {
    return state(get());
  }

  public void record(DeployEntry entry) {
    update(state -> {
      state.entries().add(entry);
      while (state.entries().size() > MAX_ENTRIES) {
        state.entries().remove(0);
      }
    });
  }

  public void openCanary(String release, CanaryRecord canary) {
    update(state -> state.canaries().put(release, canary));
  }

  public void closeCanary(String release) {
    update(state -> state.canaries().remove(release));
  }

  private void update(Consumer<State> change) {
    kube.objects().updateConfigMapData(namespace, NAME, Map.of("app.kubernetes.io/managed-by", "stackpipe"), ATTEMPTS,
        current -> {
          State state = state(current);
          change.accept(state);
          return Map.of(HISTORY, json(state.entries()), CANARIES, json(state.canaries()));
        });
  }

  private ConfigMap get() {
    try {
      return kube.client().configMaps().inNamespace(namespace).withName(NAME).get();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "get", "configmaps", namespace);
    }
  }

  private State state(ConfigMap map) {
    Map<String, String> data = map == null || map.getData() == null ? Map.of() : map.getData();
    try {
      List<DeployEntry> entries = data.containsKey(HISTORY)
          ? JSON.readValue(data.get(HISTORY), new TypeReference<List<DeployEntry>>() { }) : List.of();
      Map<String, CanaryRecord> canaries = data.containsKey(CANARIES)
          ? JSON.readValue(data.get(CANARIES), new TypeReference<Map<String, CanaryRecord>>() { }) : Map.of();
      return new State(new ArrayList<>(entries), new LinkedHashMap<>(canaries));
    } catch (IOException e) {
      throw new StackpipeException("ConfigMap " + namespace + "/" + NAME + " is not a Stackpipe deploy history ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
