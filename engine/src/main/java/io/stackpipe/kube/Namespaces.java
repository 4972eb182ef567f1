package io.stackpipe.kube;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Namespaces as Stackpipe uses them (a stack is a namespace): create, select by labels, delete and wait. */
public final class Namespaces {
  private final KubeConnection connection;

  Namespaces(KubeConnection connection) {
    this.connection = connection;
  }

  public Namespace create(String name, Map<String, String> labels, Map<String, String> annotations) {
    Namespace namespace = new NamespaceBuilder().withNewMetadata().withName(name)
        .withLabels(labels).withAnnotations(annotations).endMetadata().build();
    try {
      return connection.client().namespaces().resource(namespace).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new KubeException("namespace " + name + " already exists", e);
      }
      throw connection.translate(e, "create", "namespaces", null);
    }
  }

  /**
   * The namespace, created with these labels and annotations if there is none yet (an existing one is left as
   * it is): for pipelines that run again into the same namespace.
   */
  public Namespace ensure(String name, Map<String, String> labels, Map<String, String> annotations) {
    Namespace existing = get(name);
    if (existing != null) {
      return existing;
    }
    try {
      return create(name, labels, annotations);
    } catch (KubeException e) {
      // Created meanwhile by someone else: that is what we wanted.
      Namespace raced = get(name);
      if (raced != null) {
        return raced;
      }
      throw e;
    }
  }

  /** The namespace, or {@code null} when there is none (a namespace being deleted is still returned). */
  public Namespace get(String name) {
    try {
      return connection.client().namespaces().withName(name).get();
    } catch (KubernetesClientException e) {
      throw connection.translate(e, "get", "namespaces", null);
    }
  }

  /** Namespaces matching {@code selector}, sorted by name. */
  public List<Namespace> list(Selector selector) {
    try {
      return connection.client().namespaces().withLabelSelector(selector.toLabelSelector()).list().getItems()
          .stream().sorted(java.util.Comparator.comparing(n -> n.getMetadata().getName())).toList();
    } catch (KubernetesClientException e) {
      throw connection.translate(e, "list", "namespaces", null);
    }
  }

  /**
   * Deletes the namespace and waits until the namespace controller has removed everything in it and the
   * namespace itself is gone. Returns {@code false} if there was nothing to delete.
   */
  public boolean deleteAndWait(String name, Duration timeout) {
    var resource = connection.client().namespaces().withName(name);
    try {
      if (resource.delete().isEmpty()) {
        return false;
      }
      resource.waitUntilCondition(Objects::isNull, timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (KubernetesClientTimeoutException e) {
      Namespace current = get(name);
      if (current == null) {
        return true;
      }
      String why = current.getStatus() == null || current.getStatus().getConditions() == null ? ""
          : current.getStatus().getConditions().stream().filter(c -> "True".equals(c.getStatus()))
              .map(c -> c.getType() + ": " + c.getMessage()).reduce((a, b) -> a + "; " + b)
              .map(s -> " (" + s + ")").orElse("");
      throw new KubeException("namespace " + name + " is still "
          + (current.getStatus() == null ? "present" : current.getStatus().getPhase()) + " after "
          + timeout.toSeconds() + "s" + why, e);
    } catch (KubernetesClientException e) {
      throw connection.translate(e, "delete", "namespaces", null);
    }
  }
}
