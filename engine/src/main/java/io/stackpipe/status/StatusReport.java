package io.stackpipe.status;

import io.stackpipe.Result;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is deployed where, at one instant: L3, the candidates being tested, every stack of the installation with
 * its services and its drift from L3, production's drift as the headline, and the latest promotions and deploys.
 * Built by {@link Status}; rendered by {@link #toMap()} (the JSON, schema {@code docs/status.schema.json}),
 * {@link StatusText} and {@link StatusHtml}. Holds no secret: versions, names, times and people only.
 *
 * @param l3 {@code null} when no L3 exists yet (then no stack has drift)
 */
public record StatusReport(Instant generatedAt, String installation, L3 l3, List<Candidate> candidates,
    List<StackStatus> stacks, List<HistoryEntry> history) implements Result {

  /** The schema's version, in the JSON as {@code schemaVersion}; bumped on any incompatible change. */
  public static final int SCHEMA_VERSION = 1;

  public StatusReport {
    candidates = List.copyOf(candidates);
    stacks = List.copyOf(stacks);
    history = List.copyOf(history);
  }

  /** The current L3: the versions that passed, and where they came from. */
  public record L3(String version, String digest, Map<String, String> services, Instant promotedAt,
      String promotedFrom, String promotedBy) implements Result {
    public L3 {
      services = Map.copyOf(services);
    }

    @Override
    public Map<String, Object> toMap() {
      return Result.fields("version", version, "digest", digest, "services", new java.util.TreeMap<>(services),
          "promotedAt", text(promotedAt), "promotedFrom", promotedFrom, "promotedBy", promotedBy);
    }
  }

  /**
   * An L3 candidate: L3 with one service changed, tested on its own stack.
   *
   * @param from the service's version in the base L3, {@code null} for a new service
   * @param to the candidate's version, {@code null} for a removal
   * @param duration how long its test took, {@code null} while pending
   * @param buildUrl the CI build that made it (Jenkins: its URL, or its path below Jenkins when no root URL is
   *     set), {@code null} for one made from a command line
   */
  public record Candidate(String id, String service, String from, String to, String baseL3, String verdict,
      Instant created, String createdBy, Duration duration, String reason, String stack, String buildUrl)
      implements Result {
    @Override
    public Map<String, Object> toMap() {
      return Result.fields("id", id, "service", service, "from", from, "to", to, "baseL3", baseL3,
          "verdict", verdict, "created", text(created), "createdBy", createdBy,
          "durationSeconds", duration == null ? null : duration.toMillis() / 1000.0, "reason", reason, "stack", stack,
          "buildUrl", buildUrl);
    }
  }

  /** A stack, what runs in it, and how it differs from L3 ({@code drift} empty when it has L3's versions). */
  public record StackStatus(Stack stack, List<DeployedServices.Service> services, List<Drift> drift)
      implements Result {
    public StackStatus {
      services = List.copyOf(services);
      drift = List.copyOf(drift);
    }

    /** The drift of one service, or {@code null} when it has L3's version (or there is no L3). */
    public Drift driftOf(String service) {
      return drift.stream().filter(d -> d.service().equals(service)).findFirst().orElse(null);
    }

    @Override
    public Map<String, Object> toMap() {
      Stack s = stack;
      Map<String, Object> map = Result.fields("name", s.name(), "namespace", s.namespace(),
          "type", s.type() == null ? null : s.type().label(), "state", s.state(), "owner", s.owner(),
          "purpose", s.purpose(), "created", text(s.created()), "lastActivity", text(s.lastActivity()),
          "lastActivityKind", s.lastActivityKind(), "idleSeconds", s.idle() == null ? null : s.idle().getSeconds(),
          "idle", s.idle() == null ? null : Durations.format(s.idle()), "keepUntil", text(s.keepUntil()),
          "reapAt", text(s.reapAt()), "manifest", s.manifest() == null ? null : Result.fields("chart",
              s.manifest().chart(), "version", s.manifest().version(), "digest", s.manifest().digest()));
      List<Map<String, Object>> rows = new ArrayList<>();
      for (DeployedServices.Service service : services) {
        Map<String, Object> row = service.toMap();
        Drift d = service.canary() ? null : driftOf(service.service());
        row.put("drift", d == null ? null : d.kind().label());
        rows.add(row);
      }
      map.put("services", rows);
      map.put("drift", drift.stream().map(Drift::toMap).toList());
      return map;
    }
  }

  /**
   * One line of history, newest first.
   *
   * @param kind {@code promotion} (an L3 change) or {@code deploy} (a service's last deploy onto a stack)
   * @param detail the L3 version a promotion made, or the deploy's profile
   */
  public record HistoryEntry(Instant at, String kind, String stack, String service, String version, String by,
      String detail) implements Result {
    @Override
    public Map<String, Object> toMap() {
      return Result.fields("at", text(at), "kind", kind, "stack", stack, "service", service, "version", version,
          "by", by, "detail", detail);
    }
  }

  /** The production stacks with their drift: the headline (empty when the installation has none). */
  public List<StackStatus> production() {
    return stacks.stream().filter(s -> s.stack().type() == StackType.PRODUCTION).toList();
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("schemaVersion", SCHEMA_VERSION);
    map.put("generatedAt", text(generatedAt));
    map.put("installation", installation);
    map.put("l3", l3 == null ? null : l3.toMap());
    map.put("production", production().stream().map(p -> Result.fields("stack", p.stack().name(),
        "inSync", l3 != null && p.drift().isEmpty(), "drift", p.drift().stream().map(Drift::toMap).toList())).toList());
    map.put("candidates", candidates.stream().map(Candidate::toMap).toList());
    map.put("stacks", stacks.stream().map(StackStatus::toMap).toList());
    map.put("history", history.stream().map(HistoryEntry::toMap).toList());
    return map;
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
