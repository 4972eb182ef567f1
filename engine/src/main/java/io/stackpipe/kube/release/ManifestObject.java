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

  /** "Deployment orders" for messages. */
  public String describe() {
    return kind + " " + name;
  }
}
