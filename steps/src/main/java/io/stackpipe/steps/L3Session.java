package io.stackpipe.steps;

import io.stackpipe.gate.GateSession;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

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
 * @param masked the values the body's output must not show (the stack's decrypted profile secrets, the body's
 *     kubeconfig token): the front end builds its output filter from them, then keeps {@link #withoutMasked()}
 */
public record L3Session(GateSession gate, Map<String, String> environment, String kubeconfigFolder,
    Set<String> masked) implements Serializable {

  private static final long serialVersionUID = 1L;

  public L3Session {
    environment = new LinkedHashMap<>(environment);
    masked = new LinkedHashSet<>(masked);
  }

  /** This session without the values to mask: what a front end may store (Jenkins' program state). */
  public L3Session withoutMasked() {
    return new L3Session(gate, environment, kubeconfigFolder, Set.of());
  }

  @Override
  public String toString() {
    return "L3Session[" + gate + ", " + environment.keySet() + ", " + masked.size() + " masked values]";
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
