package io.stackpipe.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;

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
}
