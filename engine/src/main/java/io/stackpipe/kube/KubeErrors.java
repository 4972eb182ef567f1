package io.stackpipe.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.base.Messages;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns API-server failures into the engine's one-line exceptions. */
final class KubeErrors {
  // The API server's own wording, e.g. `User "alice" cannot create resource "namespaces" in API group ""
  // at the cluster scope` or `... in the namespace "team-a"`. Also what Helm passes through.
  private static final Pattern FORBIDDEN = Pattern.compile(
      "User \"([^\"]*)\" cannot (\\S+) resource \"([^\"]*)\" in API group \"([^\"]*)\""
          + "(?: in the namespace \"([^\"]*)\"| at the cluster scope)?");

  private KubeErrors() {}

  /**
   * @param verb      what the caller tried, used when the server's message does not say (e.g. "create")
   * @param resource  the resource's plural name, e.g. "namespaces"
   * @param namespace the request's namespace, {@code null} for cluster scope
   */
  static KubeException translate(KubernetesClientException e, String server, String verb, String resource,
      String namespace) {
    int code = e.getCode();
    String message = e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage() : e.getMessage();
    if (code == HttpURLConnection.HTTP_FORBIDDEN) {
      KubeException denied = forbidden(message, e);
      return denied != null ? denied
          : new KubeAccessDeniedException("(unknown)", verb, resource, namespace, e);
    }
    if (code == HttpURLConnection.HTTP_UNAUTHORIZED) {
      return new KubeException("unauthorized: " + server + " rejected the credentials", e);
    }
    if (code <= 0) { // fabric8's code for "no HTTP response at all"
      Throwable root = e;
      boolean interrupted = Thread.currentThread().isInterrupted();
      while (root.getCause() != null) {
        interrupted |= root instanceof InterruptedException || root instanceof InterruptedIOException;
        root = root.getCause();
      }
      if (interrupted || root instanceof InterruptedException || root instanceof InterruptedIOException) {
        // An abort (Jenkins' stop, Ctrl-C) is no connection failure: say so, and keep the thread interrupted.
        Thread.currentThread().interrupt();
        return new KubeException("interrupted: " + verb + " " + resource
            + (namespace == null ? "" : " in namespace " + namespace) + " was stopped", e);
      }
      return new KubeException("cannot reach the Kubernetes API at " + server + ": "
          + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()), e);
    }
    return new KubeException(verb + " " + resource + (namespace == null ? "" : " in namespace " + namespace)
        + " failed: HTTP " + code + ": " + firstLine(message), e);
  }

  /** A 403 described in any message (API server or Helm), or {@code null} if the message is no RBAC denial. */
  static KubeAccessDeniedException forbidden(String message, Throwable cause) {
    if (message == null) {
      return null;
    }
    Matcher m = FORBIDDEN.matcher(message);
    if (!m.find()) {
      return null;
    }
    String resource = m.group(4).isEmpty() ? m.group(3) : m.group(3) + "." + m.group(4);
    return new KubeAccessDeniedException(m.group(1), m.group(2), resource, m.group(5), cause);
  }

  static String firstLine(String message) {
    return Messages.brief(Messages.firstLine(message, "(no message)"));
  }
}
