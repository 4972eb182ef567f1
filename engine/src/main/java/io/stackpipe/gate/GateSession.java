package io.stackpipe.gate;

import io.stackpipe.Result;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.L3Version;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An opened gate, between {@link L3Gate#open} and {@link L3Gate#close}: small, serializable and free of secrets, so
 * a front end can keep it while the system tests run elsewhere (a Jenkins block step keeps it across a controller
 * restart) and close the gate from another process. Made by {@link #inL3Already} or {@link #opened}.
 *
 * @param alreadyInL3 the version is in L3 already: no candidate, no stack; closing reports it unchanged
 * @param from the service's version in the base L3 ({@code null}: a new service)
 * @param base the L3 the candidate was made from
 * @param candidate the candidate's id ({@code null} when {@code alreadyInL3})
 * @param candidateVersion the candidate umbrella's version
 * @param stack the ephemeral stack the system tests run against, and its {@code namespace}
 * @param environment what the system tests get ({@code STACK_NAME}, {@code STACK_NAMESPACE}, {@code L3_CANDIDATE},
 *     {@code STACK_SERVICES}, {@code <SERVICE>_URL}); a front end adds {@code KUBECONFIG}, a file of its own
 * @param opened when the stack was Ready (ISO-8601): the system tests' time is counted from there
 * @param stackMillis how long making the candidate and its stack took
 */
public record GateSession(String service, String version, boolean alreadyInL3, String from, L3Version base,
    String candidate, String candidateVersion, String stack, String namespace, Map<String, String> environment,
    boolean keepOnFailure, String opened, long stackMillis) implements Serializable, Result {

  private static final long serialVersionUID = 2L;

  public GateSession {
    // An unmodifiable view of a LinkedHashMap copy: serializable, and in a stable order.
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
  }

  /** {@code service version} is in {@code current} already: nothing to make, closing reports it unchanged. */
  static GateSession inL3Already(String service, String version, L3Version current, boolean keepOnFailure,
      String opened) {
    return new GateSession(service, version, true, current.services().get(service), current, null, null, null, null,
        Map.of(), keepOnFailure, opened, 0);
  }

  /** {@code candidate}, made on {@code base}, has its stack Ready in {@code namespace} since {@code opened}. */
  static GateSession opened(String service, String version, Candidate candidate, L3Version base, String stack,
      String namespace, Map<String, String> environment, boolean keepOnFailure, String opened, long stackMillis) {
    return new GateSession(service, version, false, candidate.change().from(), base, candidate.id(),
        candidate.version(), stack, namespace, environment, keepOnFailure, opened, stackMillis);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("service", service, "version", version, "alreadyInL3", alreadyInL3, "from", from,
        "base", base.version(), "baseServices", new LinkedHashMap<>(base.services()), "candidate", candidate,
        "candidateVersion", candidateVersion, "stack", stack, "namespace", namespace,
        "environment", new LinkedHashMap<>(environment), "keepOnFailure", keepOnFailure, "opened", opened,
        "stackMillis", stackMillis);
  }
}
