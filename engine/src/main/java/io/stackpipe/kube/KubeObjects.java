package io.stackpipe.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.function.Function;

/** Generic object operations where the API's concurrency control matters. */
public final class KubeObjects {
  private final KubeConnection connection;

  KubeObjects(KubeConnection connection) {
    this.connection = connection;
  }

  /**
   * Compare-and-swap: replaces the object only if it is still at the {@code resourceVersion} that
   * {@code edited} carries (the version it was read at). A concurrent writer makes this fail with
   * {@link KubeConflictException} instead of being silently overwritten.
   */
  public <T extends HasMetadata> T updateIfUnchanged(T edited) {
    String version = edited.getMetadata().getResourceVersion();
    String namespace = edited.getMetadata().getNamespace();
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException(edited.getKind() + " " + edited.getMetadata().getName()
          + " has no resourceVersion: read it first, then update what was read");
    }
    try {
      return connection.client().resource(edited).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new KubeConflictException(edited.getKind(), namespace, edited.getMetadata().getName(), version, e);
      }
      throw connection.translate(e, "update", edited.getPlural(), namespace);
    }
  }

  /**
   * Rewrites ConfigMap {@code name}'s data by compare-and-swap: {@code data} computes the new data from the map as
   * read ({@code null} when absent: it is then created with {@code labels}); on a concurrent write it is read and
   * computed again, up to {@code attempts} times, then the conflict is thrown.
   */
  public void updateConfigMapData(String namespace, String name, Map<String, String> labels, int attempts,
      Function<ConfigMap, Map<String, String>> data) {
    for (int attempt = 1; ; attempt++) {
      ConfigMap current = configMap(namespace, name);
      Map<String, String> next = data.apply(current);
      try {
        if (current == null) {
          connection.client().configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
              .withName(name).withNamespace(namespace).addToLabels(labels).endMetadata().withData(next).build())
              .create();
        } else {
          current.setData(next);
          updateIfUnchanged(current);
        }
        return;
      } catch (KubeConflictException e) {
        if (attempt == attempts) {
          throw e;
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == attempts) {
          throw connection.translate(e, "create", "configmaps", namespace);
        }
      }
    }
  }

  private ConfigMap configMap(String namespace, String name) {
    try {
      return connection.client().configMaps().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw connection.translate(e, "get", "configmaps", namespace);
    }
  }
}
