package io.stackpipe.testsupport.kube;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;

/** What a test may expect of a destroyed stack's namespace: a destroy returns once Kubernetes is deleting it. */
public final class Going {

  private Going() {
  }

  /** Whether {@code namespace} is gone or being deleted. */
  public static boolean goneOrGoing(KubernetesClient admin, String namespace) {
    Namespace found = admin.namespaces().withName(namespace).get();
    return found == null || found.getMetadata().getDeletionTimestamp() != null;
  }
}
