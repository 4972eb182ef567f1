package io.stackpipe.status;

import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The report for a terminal: compact tables, times relative to the report's instant, drift marked with
 * {@code ↑} ahead, {@code ↓} behind, {@code −} missing, {@code +} extra (and the word, for screen readers and grep).
 */
public final class StatusText {
  private StatusText() {}

  public static String render(StatusReport report) {
    Instant now = report.generatedAt();
    StringBuilder out = new StringBuilder();
    StatusReport.L3 l3 = report.l3();
    if (l3 == null) {
      out.append("L3: none yet (no drift is computed)\n");
    } else {
      out.append("L3 ").append(l3.version()).append(" (").append(shortDigest(l3.digest())).append(")");
      if (l3.promotedAt() != null) {
        out.append(", promoted ").append(ago(l3.promotedAt(), now));
      }
      if (l3.promotedFrom() != null) {
        out.append(" from ").append(l3.promotedFrom());
      }
      if (l3.promotedBy() != null) {
        out.append(" by ").append(l3.promotedBy());
      }
      out.append('\n');
      out.append(l3.services().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
          .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ", "  ", "\n")));
    }
    for (StatusReport.StackStatus prod : report.production()) {
      out.append("production ").append(prod.stack().name()).append(": ").append(l3 == null ? "no L3 to compare"
          : prod.drift().isEmpty() ? "in sync with L3" : prod.drift().size() + " service(s) differ from L3: "
              + prod.drift().stream().map(StatusText::driftText).collect(Collectors.joining(", "))).append('\n');
    }

    if (!report.candidates().isEmpty()) {
      out.append("\ncandidates\n");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "SERVICE", "CHANGE", "VERDICT", "TOOK", "STACK", "REASON"});
      for (StatusReport.Candidate c : report.candidates()) {
        rows.add(new String[] {c.id(), c.service(), dash(c.from()) + " → " + dash(c.to()), c.verdict(),
            c.duration() == null ? "-" : Durations.format(c.duration()), dash(c.stack()), dash(c.reason())});
      }
      table(out, rows);
    }

    out.append("\nstacks of installation ").append(report.installation()).append(" (").append(report.stacks().size())
        .append(")\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STACK", "TYPE", "OWNER", "IDLE", "REAP / KEEP", "SERVICE", "VERSION", "PROFILE", "REV",
        "STATUS", "DRIFT"});
    for (StatusReport.StackStatus row : report.stacks()) {
      Stack s = row.stack();
      String reap = s.keepUntil() != null && s.keepUntil().isAfter(now) ? "kept until " + s.keepUntil()
          : s.reapAt() == null ? "never" : "reap " + in(s.reapAt(), now);
      String[] head = {s.name(), s.type() == null ? "?" : s.type().label(), dash(s.owner()),
          s.idle() == null ? "?" : Durations.format(s.idle()), reap};
      List<String[]> lines = new ArrayList<>();
      for (DeployedServices.Service svc : row.services()) {
        Drift d = svc.canary() ? null : row.driftOf(svc.service());
        lines.add(new String[] {svc.service() + (svc.canary() ? " (canary)" : ""), svc.version(), dash(svc.profile()),
            String.valueOf(svc.revision()), dash(svc.status()), d == null ? "" : driftText(d)});
      }
      row.drift().stream().filter(d -> d.kind() == Drift.Kind.MISSING)
          .forEach(d -> lines.add(new String[] {d.service(), "-", "-", "-", "-", driftText(d)}));
      if (lines.isEmpty()) {
        lines.add(new String[] {"(no services)", "", "", "", "", ""});
      }
      for (int i = 0; i < lines.size(); i++) {
        String[] line = new String[11];
        for (int c = 0; c < 5; c++) {
          line[c] = i == 0 ? head[c] : "";
        }
        System.arraycopy(lines.get(i), 0, line, 5, 6);
        rows.add(line);
      }
    }
    table(out, rows);

    if (!report.history().isEmpty()) {
      out.append("\nhistory (newest first)\n");
      List<String[]> hist = new ArrayList<>();
      hist.add(new String[] {"WHEN", "WHAT", "STACK", "SERVICE", "VERSION", "BY", "DETAIL"});
      for (StatusReport.HistoryEntry h : report.history()) {
        hist.add(new String[] {h.at() == null ? "?" : ago(h.at(), now), h.kind(), dash(h.stack()), dash(h.service()),
            dash(h.version()), dash(h.by()), dash(h.detail())});
      }
      table(out, hist);
    }
    return out.toString();
  }

  /** One drift as a line: "↑ ahead orders 1.2.0 > L3 1.1.0". */
  public static String driftText(Drift d) {
    return switch (d.kind()) {
      case AHEAD -> "↑ ahead " + d.service() + " " + d.deployed() + " > L3 " + d.l3();
      case BEHIND -> "↓ behind " + d.service() + " " + d.deployed() + " < L3 " + d.l3();
      case MISSING -> "− missing " + d.service() + " (L3 " + d.l3() + ")";
      case EXTRA -> "+ extra " + d.service() + " " + d.deployed() + " (not in L3)";
    };
  }

  /** "3h ago" / "in 2d" with the units of {@link Durations}, coarsened to the two largest. */
  public static String ago(Instant at, Instant now) {
    Duration d = Duration.between(at, now);
    return d.isNegative() ? "in " + coarse(d.negated()) : coarse(d) + " ago";
  }

  static String in(Instant at, Instant now) {
    Duration d = Duration.between(now, at);
    return d.isNegative() ? "overdue " + coarse(d.negated()) : "in " + coarse(d);
  }

  static String coarse(Duration d) {
    long s = d.getSeconds();
    return Durations.format(Duration.ofSeconds(s >= 86400 ? s - s % 3600 : s >= 3600 ? s - s % 60 : s));
  }

  static String shortDigest(String digest) {
    return digest == null ? "no digest" : digest.length() > 19 ? digest.substring(0, 19) + "…" : digest;
  }

  private static String dash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }

  private static void table(StringBuilder out, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].codePointCount(0, row[i].length()));
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(width[i] - row[i].codePointCount(0, row[i].length()) + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
