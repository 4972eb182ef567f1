package io.stackpipe.stack;

import io.stackpipe.Result;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one sweep did (or, in a dry run, would do) with each stack, and why. */
public record ReapReport(Instant at, String installation, boolean dryRun, ReapPolicy policy, List<Entry> entries)
    implements Result {

  public enum Outcome { REAPED, WARNED, KEPT, FAILED }

  /**
   * One stack's line.
   *
   * @param reapAt when it is (or was) due, {@code null} for stacks never reaped
   */
  public record Entry(String stack, String namespace, String owner, Outcome outcome, String reason, Instant reapAt) {
    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("stack", stack);
      map.put("namespace", namespace);
      map.put("owner", owner);
      map.put("reason", reason);
      map.put("reapAt", Stack.text(reapAt));
      return map;
    }
  }

  public ReapReport {
    entries = List.copyOf(entries);
  }

  public List<Entry> with(Outcome outcome) {
    return entries.stream().filter(e -> e.outcome() == outcome).toList();
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("at", at.toString());
    map.put("installation", installation);
    map.put("dryRun", dryRun);
    map.put("maxIdle", Durations.format(policy.maxIdle()));
    map.put("warnBefore", Durations.format(policy.warnBefore()));
    map.put("maxKeep", Durations.format(policy.maxKeep()));
    for (Outcome outcome : Outcome.values()) {
      map.put(outcome.name().toLowerCase(java.util.Locale.ROOT), with(outcome).stream().map(Entry::toMap).toList());
    }
    return map;
  }
}
