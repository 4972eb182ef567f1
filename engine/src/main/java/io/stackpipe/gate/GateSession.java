package io.stackpipe.gate;

import io.stackpipe.Result;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An opened gate, between {@link L3Gate#open} and {@link L3Gate#close}: small, serializable and free of secrets, so
 * a front end can keep it while the system tests run elsewhere (a Jenkins block step keeps it across a controller
 * restart) and close the gate from another process.
 *
 * @param alreadyInL3 the version is in L3 already: no candidate, no stack; closing reports it unchanged
 * @param from the service's version in the base L3 ({@code null}: a new service)
 * @param base the L3 version the candidate was made from, and its services
 * @param candidate the candidate's id ({@code null} when {@code alreadyInL3})
 * @param candidateVersion the candidate umbrella's version
 * @param stack the ephemeral stack the system tests run against, and its {@code namespace}
 * @param environment what the system tests get ({@code STACK_NAME}, {@code STACK_NAMESPACE}, {@code L3_CANDIDATE},
 *     {@code STACK_SERVICES}, {@code <SERVICE>_URL}); a front end adds {@code KUBECONFIG}, a file of its own
 * @param opened when the stack was Ready (ISO-8601): the system tests' time is counted from there
 * @param stackMillis how long making the candidate and its stack took
 */
public record GateSession(String service, String version, boolean alreadyInL3, String from, String base,
    Map<String, String> baseServices, String candidate, String candidateVersion, String stack, String namespace,
    Map<String, String> environment, boolean keepOnFailure, String opened, long stackMillis)
    implements Serializable, Result {

  private static final long serialVersionUID = 1L;

  public GateSession {
    // Unmodifiable views of TreeMap and LinkedHashMap copies: serializable, and in a stable order.
    baseServices = Collections.unmodifiableMap(new TreeMap<>(baseServices == null ? Map.of() : baseServices));
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment == null ? Map.of() : environment));
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("service", service, "version", version, "alreadyInL3", alreadyInL3, "from", from,
        "base", base, "baseServices", new LinkedHashMap<>(baseServices), "candidate", candidate,
        "candidateVersion", candidateVersion, "stack", stack, "namespace", namespace,
        "environment", new LinkedHashMap<>(environment), "keepOnFailure", keepOnFailure, "opened", opened,
        "stackMillis", stackMillis);
  }
}
