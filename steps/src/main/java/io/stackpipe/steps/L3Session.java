package io.stackpipe.steps;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link PromoteL3Step#open} hands to the front end for the body of {@code promoteL3}, and what
 * {@link PromoteL3Step#close} takes back: small, serializable and secret-free, so a Jenkins block step keeps it in
 * its execution (it survives a controller restart) and may run {@code close} on another JVM than {@code open}.
 *
 * @param candidate the L3 candidate's id; null when the version is already in L3: nothing to test, so the front end
 *     skips the body ({@link #runsBody()}) and {@code close} reports {@code already-in-l3}
 * @param stack the candidate's ephemeral stack
 * @param environment what the body's environment gets: {@code STACK_NAME}, {@code STACK_NAMESPACE},
 *     {@code KUBECONFIG} (when the step made or names a file), {@code L3_CANDIDATE} and one {@code <SERVICE>_URL}
 *     per service address (see docs/STEPS.md); no secret — the kubeconfig is a path
 * @param kubeconfigFolder a folder {@code open} wrote the kubeconfig credential into, deleted by {@code close};
 *     null when the settings named a file or the environment had one
 * @param opened the open phase's result map (candidate, base L3, stack, services)
 */
public record L3Session(String candidate, String service, String version, String stack, String namespace,
    Map<String, String> environment, boolean keepStackOnFailure, String kubeconfigFolder,
    Map<String, Object> opened) implements Serializable {

  private static final long serialVersionUID = 1L;

  public L3Session {
    environment = new LinkedHashMap<>(environment);
    opened = new LinkedHashMap<>(opened);
  }

  /** Whether the front end runs the body: false when the version is already in L3 (a rebuild of it). */
  public boolean runsBody() {
    return candidate != null;
  }
}
