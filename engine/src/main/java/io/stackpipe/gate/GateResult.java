package io.stackpipe.gate;

import io.stackpipe.Result;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a gate ended.
 *
 * @param verdict {@code promoted} (L3 is now the candidate), {@code rejected} (its stack or its system tests
 *     failed; L3 unchanged), {@code stale} (passed, but L3 moved since its base: rebase it) or {@code unchanged}
 *     (the version was in L3 already: nothing made)
 * @param reason why it was rejected or went stale (one line), else empty
 * @param before the L3 version when the gate opened, and its services
 * @param after the L3 version when it closed (the candidate's when promoted), and its services
 * @param stackKept the candidate's stack was kept to look at (a failure with keep-on-failure)
 * @param timings milliseconds by phase: {@code stack} (candidate and its stack Ready), {@code tests}, {@code verdict}
 *     (promote or reject), {@code destroy}
 * @param test the system test's result when the gate ran it, else {@code null}
 */
public record GateResult(String service, String version, String from, String candidate, String candidateVersion,
    String verdict, String reason, String before, Map<String, String> beforeServices, String after,
    Map<String, String> afterServices, String stack, String namespace, boolean stackKept, Map<String, Long> timings,
    SystemTestResult test) implements Result {

  public GateResult {
    beforeServices = java.util.Collections.unmodifiableMap(new TreeMap<>(beforeServices));
    afterServices = java.util.Collections.unmodifiableMap(new TreeMap<>(afterServices));
    timings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timings));
  }

  /** The candidate passed and L3 is now the candidate, or the version was in L3 already. */
  public boolean succeeded() {
    return verdict.equals("promoted") || verdict.equals("unchanged");
  }

  GateResult withTest(SystemTestResult value) {
    return new GateResult(service, version, from, candidate, candidateVersion, verdict, reason, before,
        beforeServices, after, afterServices, stack, namespace, stackKept, timings, value);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("service", service, "version", version, "from", from, "candidate", candidate,
        "candidateVersion", candidateVersion, "verdict", verdict, "reason", reason,
        "before", Result.fields("version", before, "services", new LinkedHashMap<>(beforeServices)),
        "after", Result.fields("version", after, "services", new LinkedHashMap<>(afterServices)),
        "stack", stack, "namespace", namespace, "stackKept", stackKept, "timings", new LinkedHashMap<>(timings),
        "test", test == null ? null : test.toMap());
  }
}
