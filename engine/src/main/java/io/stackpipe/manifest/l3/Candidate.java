package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An L3 candidate: its base L3 with exactly one service changed, pushed as umbrella {@code manifest} at
 * {@code version}. Kept in the cluster (one ConfigMap each) until the retention limit prunes it once finished.
 *
 * @param baseSequence the base L3's sequence number; the candidate's version is {@code <baseSequence+1>.0.0-<id>}
 * @param digest sha256 of the umbrella archive (its chart layer)
 * @param reference {@code oci://host/path/<manifest>@sha256:…}: what plain Helm installs
 * @param services every service of the candidate, name → version
 * @param created, updated instants (ISO-8601, UTC)
 * @param creator who asked for it; {@code buildUrl} the CI build that did, or {@code null}
 * @param reason why it was rejected, failed or went stale; empty while open
 * @param timings milliseconds by phase as the gate reports them ({@code stack}, {@code tests}, …)
 * @param stack the stack its system tests ran on, or {@code null}
 * @param rebasedFrom the stale candidate this one repeats the change of, or {@code null}
 */
public record Candidate(String id, String manifest, String base, int baseSequence, String version, String digest,
    String reference, Change change, Map<String, String> services, String created, String updated, String creator,
    String buildUrl, Verdict verdict, String reason, Map<String, Long> timings, String stack, String rebasedFrom)
    implements Result {

  public Candidate {
    services = services == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(services));
    timings = timings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(timings));
    reason = reason == null ? "" : reason;
  }

  Candidate with(Verdict newVerdict, String newReason, String at) {
    return new Candidate(id, manifest, base, baseSequence, version, digest, reference, change, services, created, at,
        creator, buildUrl, newVerdict, newReason, timings, stack, rebasedFrom);
  }

  Candidate withTest(String newStack, Map<String, Long> newTimings, String at) {
    Map<String, Long> merged = new LinkedHashMap<>(timings);
    merged.putAll(newTimings);
    return new Candidate(id, manifest, base, baseSequence, version, digest, reference, change, services, created, at,
        creator, buildUrl, verdict, reason, merged, newStack == null ? stack : newStack, rebasedFrom);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("id", id, "manifest", manifest, "base", base, "baseSequence", baseSequence,
        "version", version, "digest", digest, "reference", reference, "change", change.toMap(),
        "services", new LinkedHashMap<>(services), "created", created, "updated", updated, "creator", creator,
        "buildUrl", buildUrl, "verdict", verdict.label(), "reason", reason, "timings", new LinkedHashMap<>(timings),
        "stack", stack, "rebasedFrom", rebasedFrom);
  }
}
