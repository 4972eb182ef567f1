package io.stackpipe.status;

import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The report as a host page's template reads it (the Jenkins L3 page's Jelly): plain strings, numbers, booleans,
 * lists and maps of display values — relative times as of the report, drift marks and classes, the values of the
 * {@code data-*} attributes — with the stacks filtered by owner, stack and service (case-insensitive parts, as the
 * page's script filters) and paged, so a page of thousands of stacks renders one page's worth. No markup: the
 * template escapes every value.
 *
 * <pre>{@code
 * StatusView.Page page = StatusView.of(report).withOwner("bob").withPageSize(50).page(2);
 * }</pre>
 */
public final class StatusView {
  private final StatusReport report;
  private String owner = "";
  private String stack = "";
  private String service = "";
  private int pageSize = 50;

  private StatusView(StatusReport report) {
    this.report = report;
  }

  public static StatusView of(StatusReport report) {
    return new StatusView(report);
  }

  /** Only stacks whose owner contains {@code part} (ignoring case); blank: any. */
  public StatusView withOwner(String part) {
    owner = normal(part);
    return this;
  }

  /** Only stacks whose name contains {@code part}; blank: any. */
  public StatusView withStack(String part) {
    stack = normal(part);
    return this;
  }

  /** Only stacks running a service whose name contains {@code part}; blank: any. */
  public StatusView withService(String part) {
    service = normal(part);
    return this;
  }

  /** Stacks per page (default 50). */
  public StatusView withPageSize(int value) {
    pageSize = value;
    return this;
  }

  /**
   * One page of the matching stacks, each a map: the report's own fields ({@link StatusReport.StackStatus#toMap})
   * plus {@code id} (of its services row), {@code createdText}, {@code reapLabel}/{@code reap}/{@code reapText},
   * {@code manifestText}, {@code serviceNames} (space-separated), {@code driftText}, {@code driftClass},
   * {@code serviceRows} (each service with {@code l3}, {@code drift}, {@code driftText}, {@code driftClass},
   * {@code deployedAtText}) and {@code missing} (L3's services it lacks).
   *
   * @param number from 1; past the last page, the last page
   */
  public Page page(int number) {
    if (pageSize < 1) {
      throw StackpipeException.ofField("pageSize", pageSize + " is not a page size (at least 1)");
    }
    List<StatusReport.StackStatus> matching = report.stacks().stream()
        .filter(s -> contains(s.stack().owner(), owner) && contains(s.stack().name(), stack)
            && (service.isEmpty() || s.services().stream().anyMatch(v -> contains(v.service(), service))))
        .toList();
    int pages = Math.max(1, (matching.size() + pageSize - 1) / pageSize);
    int page = Math.min(Math.max(1, number), pages);
    int from = (page - 1) * pageSize;
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = from; i < Math.min(matching.size(), from + pageSize); i++) {
      rows.add(row(matching.get(i), "sp-svc-" + i));
    }
    return new Page(rows, matching.size(), report.stacks().size(), page, pages, rows.isEmpty() ? 0 : from + 1,
        from + rows.size());
  }

  /**
   * A page of stacks.
   *
   * @param from the first stack's position among the matching ones, from 1 (0 when none match)
   */
  public record Page(List<Map<String, Object>> stacks, int matching, int total, int page, int pages, int from,
      int to) {
    public Page {
      stacks = List.copyOf(stacks);
    }
  }

  /** L3's fields, {@code promotedAtText} and {@code serviceList} (service and version, by name); {@code null} without L3. */
  public Map<String, Object> l3() {
    StatusReport.L3 l3 = report.l3();
    if (l3 == null) {
      return null;
    }
    Map<String, Object> map = new LinkedHashMap<>(l3.toMap());
    map.put("promotedAtText", ago(l3.promotedAt()));
    map.put("serviceList", l3.services().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> Map.of("service", e.getKey(), "version", e.getValue())).toList());
    return map;
  }

  /** Each production stack: {@code stack}, {@code state} (in sync, drift, no L3 to compare), {@code drift} lines. */
  public List<Map<String, Object>> production() {
    return report.production().stream().map(p -> {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("stack", p.stack().name());
      map.put("state", report.l3() == null ? "no L3 to compare" : p.drift().isEmpty() ? "in sync" : "drift");
      map.put("drift", p.drift().stream()
          .map(d -> Map.of("kind", d.kind().label(), "text", StatusText.driftText(d))).toList());
      return map;
    }).toList();
  }

  /** The candidates' fields with {@code change}, {@code createdText} and {@code took}. */
  public List<Map<String, Object>> candidates() {
    return report.candidates().stream().map(c -> {
      Map<String, Object> map = new LinkedHashMap<>(c.toMap());
      map.put("change", (c.from() == null ? "(new)" : c.from()) + " → " + (c.to() == null ? "(removed)" : c.to()));
      map.put("createdText", ago(c.created()));
      map.put("took", c.duration() == null ? "" : Durations.format(c.duration()));
      return map;
    }).toList();
  }

  /** The history's fields with {@code atText}. */
  public List<Map<String, Object>> history() {
    return report.history().stream().map(e -> {
      Map<String, Object> map = new LinkedHashMap<>(e.toMap());
      map.put("atText", ago(e.at()));
      return map;
    }).toList();
  }

  /** Every owner, sorted: the owner filter's suggestions. */
  public List<String> owners() {
    return report.stacks().stream().map(s -> s.stack().owner()).filter(o -> o != null).distinct().sorted().toList();
  }

  /** Every deployed service's name, sorted: the service filter's suggestions. */
  public List<String> services() {
    return List.copyOf(report.stacks().stream().flatMap(s -> s.services().stream())
        .map(DeployedServices.Service::service).collect(Collectors.toCollection(TreeSet::new)));
  }

  /** "3h ago" / "in 2d" as of the report; {@code null} for no instant. */
  public String ago(Instant at) {
    return at == null ? null : StatusText.ago(at, report.generatedAt());
  }

  private Map<String, Object> row(StatusReport.StackStatus status, String id) {
    Stack s = status.stack();
    Map<String, Object> row = new LinkedHashMap<>(status.toMap());
    row.put("id", id);
    row.put("createdText", ago(s.created()));
    row.put("lastActivityText", ago(s.lastActivity()));
    boolean kept = s.keepUntil() != null && s.keepUntil().isAfter(report.generatedAt());
    Instant reap = kept ? s.keepUntil() : s.reapAt();
    row.put("reapLabel", kept ? "kept until" : reap == null ? "never reaped" : "reaped");
    row.put("reap", StatusReport.text(reap));
    row.put("reapText", ago(reap));
    row.put("manifestText", s.manifest() == null ? "" : s.manifest().chart() + " " + s.manifest().version());
    row.put("serviceNames", status.services().stream().map(DeployedServices.Service::service).distinct()
        .collect(Collectors.joining(" ")));
    row.put("driftText", report.l3() == null ? "n/a" : status.drift().isEmpty() ? "✓ in sync"
        : status.drift().stream().map(d -> d.kind().mark() + " " + d.service()).collect(Collectors.joining(", ")));
    row.put("driftClass", status.drift().isEmpty() ? "sp-sync" : "sp-drift-summary");
    Map<String, String> l3 = report.l3() == null ? Map.of() : report.l3().services();
    List<Map<String, Object>> services = new ArrayList<>();
    for (DeployedServices.Service v : status.services()) {
      Drift d = v.canary() ? null : status.driftOf(v.service());
      Map<String, Object> line = new LinkedHashMap<>(v.toMap());
      line.put("l3", l3.get(v.service()));
      line.put("drift", d == null ? null : d.kind().label());
      line.put("driftText", d == null ? "" : d.kind().mark() + " " + d.kind().label());
      line.put("driftClass", d == null ? "" : "sp-drift sp-drift-" + d.kind().label());
      line.put("deployedAtText", ago(instant(v.deployedAt())));
      services.add(line);
    }
    row.put("serviceRows", services);
    row.put("missing", status.drift().stream().filter(d -> d.kind() == Drift.Kind.MISSING)
        .map(d -> Map.of("service", d.service(), "l3", d.l3())).toList());
    return row;
  }

  private static boolean contains(String value, String part) {
    return part.isEmpty() || (value != null && value.toLowerCase(Locale.ROOT).contains(part));
  }

  private static String normal(String part) {
    return part == null ? "" : part.strip().toLowerCase(Locale.ROOT);
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
