package io.stackpipe.kube;

/**
 * RBAC said no (HTTP 403). The message names the user, the verb, the resource and the scope, e.g.
 * {@code forbidden: user "alice" cannot create namespaces at cluster scope}.
 */
public final class KubeAccessDeniedException extends KubeException {
  private final String user;
  private final String verb;
  private final String resource;
  private final String namespace;

  KubeAccessDeniedException(String user, String verb, String resource, String namespace, Throwable cause) {
    super("forbidden: user \"" + user + "\" cannot " + verb + " " + resource
        + (namespace == null ? " at cluster scope" : " in namespace " + namespace), cause);
    this.user = user;
    this.verb = verb;
    this.resource = resource;
    this.namespace = namespace;
  }

  public String user() {
    return user;
  }

  public String verb() {
    return verb;
  }

  public String resource() {
    return resource;
  }

  /** The namespace the request was for; {@code null} for a cluster-scoped request. */
  public String namespace() {
    return namespace;
  }
}
