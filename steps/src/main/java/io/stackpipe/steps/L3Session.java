package io.stackpipe.steps;

import io.stackpipe.gate.GateSession;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link PromoteL3Step#open} hands to the front end for the body of {@code promoteL3}, and what
 * {@link PromoteL3Step#close} takes back: small, serializable and secret-free, so a Jenkins block step keeps it in
 * its execution (it survives a controller restart) and may run {@code close} on another JVM than {@code open}.
 *
 * @param gate the engine's gate session (candidate, its stack, the L3 it was based on)
 * @param environment what the body's environment gets: {@code STACK_NAME}, {@code L3_CANDIDATE},
 *     {@code STACK_NAMESPACE}, {@code STACK_SERVICES}, one {@code <SERVICE>_URL} per Service and {@code KUBECONFIG};
 *     no secret — the kubeconfig is a path
 * @param kubeconfigFolder the private folder {@code open} wrote the body's kubeconfig into, deleted by
 *     {@code close}; null when there is no body to run
 */
public record L3Session(GateSession gate, Map<String, String> environment, String kubeconfigFolder)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public L3Session {
    environment = new LinkedHashMap<>(environment);
  }

  /** Whether the front end runs the body: false when the version is already in L3 (a rebuild of it). */
  public boolean runsBody() {
    return !gate.alreadyInL3();
  }

  /** The candidate's id; null when the version is already in L3. */
  public String candidate() {
    return gate.candidate();
  }

  /** The candidate's stack; null when the version is already in L3. */
  public String stack() {
    return gate.stack();
  }

  public String namespace() {
    return gate.namespace();
  }
}
