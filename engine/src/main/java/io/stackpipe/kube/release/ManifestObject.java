package io.stackpipe.kube.release;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One object of a rendered manifest as Helm stores it: the template it came from ({@code # Source:}), the YAML
 * text, and the object as JSON.
 *
 * @param namespace as rendered, or {@code null} (the release's namespace for a namespaced kind)
 */
public record ManifestObject(String source, String text, ObjectNode body, String apiVersion, String kind,
    String name, String namespace) {

  /** Group (empty for the core group), e.g. {@code apps} for {@code apps/v1}. */
  public String group() {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** Helm's identity of an object across revisions: group, kind, namespace and name (not the version). */
  public String key(String releaseNamespace, boolean namespaced) {
    return group() + "/" + kind + "/" + (namespaced ? (namespace == null ? releaseNamespace : namespace) : "") + "/"
        + name;
  }

  /** "Deployment orders" for messages. */
  public String describe() {
    return kind + " " + name;
  }
}
