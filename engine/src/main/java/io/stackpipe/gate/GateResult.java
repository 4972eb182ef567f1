package io.stackpipe.gate;

import io.stackpipe.Result;
import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.Promoted;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a gate ended.
 *
 * @param verdict see {@link GateVerdict}
 * @param reason why it was rejected or went stale (one line), else empty
 * @param before the L3 when the gate opened (the candidate's base)
 * @param after the L3 when it closed (the candidate when promoted)
 * @param stackKept the candidate's stack was kept to look at (a failure with keep-on-failure)
 * @param timings milliseconds by phase: {@code stack} (candidate and its stack Ready), {@code tests}, {@code verdict}
 *     (promote or reject), {@code destroy}
 * @param test the system test's result when the gate ran it, else {@code null}
 */
public record GateResult(String service, String version, String from, String candidate, String candidateVersion,
    GateVerdict verdict, String reason, L3Version before, L3Version after, String stack, String namespace,
    boolean stackKept, Map<String, Long> timings, SystemTestResult test) implements Result {

  public GateResult {
    timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
  }

  /** A candidate tested elsewhere and promoted, as the gate reports a promotion: no stack, no test. */
  public static GateResult promoted(Promoted promoted) {
    Candidate c = promoted.candidate();
    return new GateResult(c.change().service(), c.change().to(), c.change().from(), c.id(), c.version(),
        GateVerdict.PROMOTED, null, promoted.before(), promoted.after(), null, null, false, Map.of(), null);
  }

  /** The candidate passed and L3 is now the candidate, or the version was in L3 already. */
  public boolean succeeded() {
    return verdict.succeeded();
  }

  GateResult withTest(SystemTestResult value) {
    return new GateResult(service, version, from, candidate, candidateVersion, verdict, reason, before, after, stack,
        namespace, stackKept, timings, value);
  }

  /** {@code before} and {@code after} as their version and services only: the rest is in {@code stackpipe l3 show}. */
  @Override
  public Map<String, Object> toMap() {
    return Result.fields("service", service, "version", version, "from", from, "candidate", candidate,
        "candidateVersion", candidateVersion, "verdict", verdict.label(), "reason", reason,
        "before", Result.fields("version", before.version(), "services", new LinkedHashMap<>(before.services())),
        "after", Result.fields("version", after.version(), "services", new LinkedHashMap<>(after.services())),
        "stack", stack, "namespace", namespace, "stackKept", stackKept, "timings", new LinkedHashMap<>(timings),
        "test", test == null ? null : test.toMap());
  }
}
