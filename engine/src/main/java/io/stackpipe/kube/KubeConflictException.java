package io.stackpipe.kube;

/**
 * HTTP 409 on an update: the object changed since it was read (its resourceVersion is stale). Re-read, re-apply
 * the change, and try again, or give up: the caller decides.
 */
public final class KubeConflictException extends KubeException {
  private final String kind;
  private final String namespace;
  private final String name;
  private final String staleResourceVersion;

  KubeConflictException(String kind, String namespace, String name, String staleResourceVersion, Throwable cause) {
    super("conflict: " + kind + " " + (namespace == null ? "" : namespace + "/") + name
        + " changed since it was read at resourceVersion " + staleResourceVersion + "; re-read it and retry", cause);
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
    this.staleResourceVersion = staleResourceVersion;
  }

  public String kind() {
    return kind;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public String staleResourceVersion() {
    return staleResourceVersion;
  }
}
