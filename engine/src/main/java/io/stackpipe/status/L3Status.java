package io.stackpipe.status;

import io.stackpipe.manifest.l3.Candidate;
import io.stackpipe.manifest.l3.L3;
import io.stackpipe.manifest.l3.L3Version;
import io.stackpipe.manifest.l3.Promotion;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The report's view of an {@link L3}: the pointer (one GET, and the registry tag checked against it), the
 * candidates (one LIST in the control namespace) and the promotions kept with the pointer (one GET).
 */
public final class L3Status implements L3Source {
  private final L3 l3;
  private Boolean exists;

  private L3Status(L3 l3) {
    this.l3 = l3;
  }

  public static L3Source of(L3 l3) {
    return new L3Status(l3);
  }

  @Override
  public StatusReport.L3 current() {
    StatusReport.L3 current = l3.current().map(L3Status::view).orElse(null);
    exists = current != null;
    return current;
  }

  @Override
  public List<StatusReport.Candidate> candidates(int limit) {
    return l3.listCandidates().stream().limit(limit).map(L3Status::view).toList();
  }

  @Override
  public List<StatusReport.HistoryEntry> promotions(int limit) {
    if (exists == null) {
      current();
    }
    if (!exists) {
      return List.of();
    }
    return l3.history().call().promotions().stream().limit(limit).map(L3Status::entry).toList();
  }

  static StatusReport.L3 view(L3Version v) {
    Promotion p = v.promotion();
    return new StatusReport.L3(v.version(), v.digest(), v.services(), p == null ? null : instant(p.at()),
        p == null ? null : p.candidate(), p == null ? null : p.by());
  }

  static StatusReport.Candidate view(Candidate c) {
    long millis = c.timings().values().stream().mapToLong(Long::longValue).sum();
    return new StatusReport.Candidate(c.id(), c.change().service(), c.change().from(), c.change().to(), c.base(),
        c.verdict().label(), instant(c.created()), c.creator(), c.timings().isEmpty() ? null : Duration.ofMillis(millis),
        c.reason().isEmpty() ? null : c.reason(), c.stack(), c.buildUrl());
  }

  static StatusReport.HistoryEntry entry(Promotion p) {
    String detail = "L3 #" + p.sequence() + " " + p.version() + (p.candidate() == null ? " (init)"
        : " from " + p.candidate());
    return new StatusReport.HistoryEntry(instant(p.at()), "promotion", null,
        p.change() == null ? null : p.change().service(), p.change() == null ? null : p.change().to(), p.by(), detail);
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
