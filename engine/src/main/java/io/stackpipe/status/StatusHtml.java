package io.stackpipe.status;

import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The report as HTML: one self-contained page (inline CSS and script, no external asset: it works offline, from a
 * file, behind {@code status serve} and inside Jenkins) or the {@link #fragment} a host page embeds. Tables are
 * rendered on the server, so they read without script; the script adds sorting (header buttons), filtering by
 * owner, stack and service, expandable services per stack, and live relative times. Drift is marked by class and
 * by text (↑ ahead, ↓ behind, − missing, + extra), never by colour alone. Every value is HTML-escaped; the report
 * holds no secret.
 */
public final class StatusHtml {
  private StatusHtml() {}

  /** The whole page; with {@code refreshSeconds} > 0 it reloads itself on that interval, keeping its filters. */
  public static String page(StatusReport report, int refreshSeconds) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>Stackpipe status — " + esc(report.installation()) + "</title>\n"
        + "<link rel=\"icon\" href=\"data:,\">\n</head>\n<body>\n<main>\n" + fragment(report, refreshSeconds)
        + "<script>" + StatusHtmlAssets.SCRIPT + "</script>\n</main>\n</body>\n</html>\n";
  }

  /**
   * The report's section with its own style and no script, for a host page to embed: no inline script or event
   * handler, so it renders under {@code Content-Security-Policy: script-src 'self'}; the host adds the behaviour
   * ({@link #page} inlines {@code StatusHtmlAssets.SCRIPT}). Its {@code data-*} attributes and classes are the
   * contract the Jenkins page's script reads too (the plugin's browser test runs that script on this fragment).
   */
  public static String fragment(StatusReport report, int refreshSeconds) {
    Instant now = report.generatedAt();
    StringBuilder h = new StringBuilder();
    h.append("<section class=\"sp-status\" data-generated=\"").append(now).append("\" data-refresh=\"")
        .append(refreshSeconds).append("\">\n<style>").append(StatusHtmlAssets.CSS).append("</style>\n");
    h.append("<h1>Stackpipe status <small>installation ").append(esc(report.installation())).append(", as of ")
        .append(time(now, now)).append("</small></h1>\n");
    l3(h, report, now);
    production(h, report);
    filters(h, report);
    stacks(h, report, now);
    candidates(h, report, now);
    history(h, report, now);
    h.append("</section>\n");
    return h.toString();
  }

  private static void l3(StringBuilder h, StatusReport report, Instant now) {
    StatusReport.L3 l3 = report.l3();
    h.append("<section aria-labelledby=\"sp-l3\"><h2 id=\"sp-l3\">L3</h2>\n");
    if (l3 == null) {
      h.append("<p>No L3 yet: drift is not computed.</p></section>\n");
      return;
    }
    h.append("<p class=\"sp-l3\"><strong>").append(esc(l3.version())).append("</strong> <code title=\"")
        .append(esc(l3.digest())).append("\">").append(esc(StatusText.shortDigest(l3.digest()))).append("</code>");
    if (l3.promotedAt() != null) {
      h.append(", promoted ").append(time(l3.promotedAt(), now));
    }
    if (l3.promotedFrom() != null) {
      h.append(" from candidate <code>").append(esc(l3.promotedFrom())).append("</code>");
    }
    if (l3.promotedBy() != null) {
      h.append(" by ").append(esc(l3.promotedBy()));
    }
    h.append("</p>\n<table class=\"sp-table\" id=\"sp-l3-services\"><caption>Services in L3</caption>\n"
        + "<thead><tr><th scope=\"col\">Service</th><th scope=\"col\">Version</th></tr></thead><tbody>\n");
    l3.services().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> h.append("<tr><td>")
        .append(esc(e.getKey())).append("</td><td>").append(esc(e.getValue())).append("</td></tr>\n"));
    h.append("</tbody></table></section>\n");
  }

  private static void production(StringBuilder h, StatusReport report) {
    List<StatusReport.StackStatus> prod = report.production();
    if (prod.isEmpty()) {
      return;
    }
    h.append("<section aria-labelledby=\"sp-prod\"><h2 id=\"sp-prod\">Production against L3</h2>\n<ul class=\"sp-prod\">\n");
    for (StatusReport.StackStatus p : prod) {
      h.append("<li><strong>").append(esc(p.stack().name())).append("</strong>: ");
      if (report.l3() == null) {
        h.append("no L3 to compare");
      } else if (p.drift().isEmpty()) {
        h.append("<span class=\"sp-sync\">✓ in sync with L3</span>");
      } else {
        h.append(p.drift().stream().map(d -> "<span class=\"sp-drift sp-drift-" + d.kind().label() + "\">"
            + esc(StatusText.driftText(d)) + "</span>").collect(Collectors.joining(" ")));
      }
      h.append("</li>\n");
    }
    h.append("</ul></section>\n");
  }

  private static void filters(StringBuilder h, StatusReport report) {
    h.append("<form class=\"sp-filters\" role=\"search\" aria-label=\"Filter stacks\">\n");
    filter(h, "owner", "Owner", report.stacks().stream().map(s -> s.stack().owner()));
    filter(h, "stack", "Stack", report.stacks().stream().map(s -> s.stack().name()));
    filter(h, "service", "Service", report.stacks().stream().flatMap(s -> s.services().stream()
        .map(DeployedServices.Service::service)));
    h.append("<output id=\"sp-count\" aria-live=\"polite\"></output>\n</form>\n");
  }

  private static void filter(StringBuilder h, String key, String label, java.util.stream.Stream<String> values) {
    String list = "sp-" + key + "-values";
    h.append("<label>").append(label).append(" <input type=\"search\" id=\"sp-filter-").append(key)
        .append("\" data-filter=\"").append(key).append("\" list=\"").append(list).append("\" autocomplete=\"off\"></label>\n")
        .append("<datalist id=\"").append(list).append("\">");
    values.filter(v -> v != null).distinct().sorted().forEach(v -> h.append("<option value=\"").append(esc(v)).append("\">"));
    h.append("</datalist>\n");
  }

  private static void stacks(StringBuilder h, StatusReport report, Instant now) {
    h.append("<section aria-labelledby=\"sp-stacks\"><h2 id=\"sp-stacks\">Stacks</h2>\n"
        + "<table class=\"sp-table sp-sortable\" id=\"sp-stacks-table\"><caption>")
        .append(report.stacks().size()).append(" stacks; sort by a column header, expand a stack for its services</caption>\n<thead><tr>");
    String[][] cols = {{"Stack", "text"}, {"Type", "text"}, {"Owner", "text"}, {"Purpose", "text"},
        {"Created", "number"}, {"Last activity", "number"}, {"Idle", "number"}, {"Reap / keep", "number"},
        {"Manifest", "text"}, {"Services", "number"}, {"Drift", "number"}};
    for (int i = 0; i < cols.length; i++) {
      h.append("<th scope=\"col\" data-type=\"").append(cols[i][1]).append("\" aria-sort=\"none\"><button type=\"button\" data-col=\"")
          .append(i).append("\">").append(cols[i][0]).append("</button></th>");
    }
    h.append("</tr></thead>\n");
    int n = 0;
    for (StatusReport.StackStatus row : report.stacks()) {
      Stack s = row.stack();
      String id = "sp-svc-" + n++;
      String services = row.services().stream().map(DeployedServices.Service::service).distinct()
          .collect(Collectors.joining(" "));
      h.append("<tbody class=\"sp-stack\" data-owner=\"").append(esc(nz(s.owner()))).append("\" data-stack=\"")
          .append(esc(s.name())).append("\" data-services=\"").append(esc(services)).append("\">\n<tr>");
      h.append("<th scope=\"row\"><button type=\"button\" class=\"sp-expand\" aria-expanded=\"false\" aria-controls=\"")
          .append(id).append("\" aria-label=\"Services of ").append(esc(s.name())).append("\">▸</button> ")
          .append(esc(s.name())).append("</th>");
      cell(h, s.type() == null ? "?" : s.type().label(), null, null);
      cell(h, nz(s.owner()), null, null);
      cell(h, nz(s.purpose()), null, null);
      timeCell(h, s.created(), now);
      timeCell(h, s.lastActivity(), now);
      h.append("<td data-sort=\"").append(s.idle() == null ? -1 : s.idle().getSeconds()).append("\">")
          .append(s.idle() == null ? "?" : esc(Durations.format(s.idle()))).append("</td>");
      Instant reap = s.keepUntil() != null && s.keepUntil().isAfter(now) ? s.keepUntil() : s.reapAt();
      h.append("<td data-sort=\"").append(reap == null ? Long.MAX_VALUE : reap.getEpochSecond()).append("\">");
      if (s.keepUntil() != null && s.keepUntil().isAfter(now)) {
        h.append("kept until ").append(time(s.keepUntil(), now));
      } else if (s.reapAt() != null) {
        h.append("reaped ").append(time(s.reapAt(), now));
      } else {
        h.append("never reaped");
      }
      h.append("</td>");
      cell(h, s.manifest() == null ? "" : s.manifest().chart() + " " + s.manifest().version(), null, null);
      cell(h, String.valueOf(row.services().size()), String.valueOf(row.services().size()), null);
      String driftText = report.l3() == null ? "n/a" : row.drift().isEmpty() ? "✓ in sync"
          : row.drift().stream().map(d -> d.kind().mark() + " " + d.service()).collect(Collectors.joining(", "));
      cell(h, driftText, String.valueOf(row.drift().size()), row.drift().isEmpty() ? "sp-sync" : "sp-drift-summary");
      h.append("</tr>\n<tr class=\"sp-detail\" id=\"").append(id).append("\" hidden><td colspan=\"").append(cols.length)
          .append("\">");
      serviceTable(h, row, report, now);
      h.append("</td></tr>\n</tbody>\n");
    }
    h.append("</table></section>\n");
  }

  private static void serviceTable(StringBuilder h, StatusReport.StackStatus row, StatusReport report, Instant now) {
    h.append("<table class=\"sp-table sp-services\"><caption>Services of ").append(esc(row.stack().name()))
        .append("</caption><thead><tr><th scope=\"col\">Service</th><th scope=\"col\">Version</th>"
            + "<th scope=\"col\">L3</th><th scope=\"col\">Drift</th><th scope=\"col\">Profile</th>"
            + "<th scope=\"col\">Release</th><th scope=\"col\">Revision</th><th scope=\"col\">Status</th>"
            + "<th scope=\"col\">Deployed</th><th scope=\"col\">By</th></tr></thead><tbody>\n");
    Map<String, String> l3 = report.l3() == null ? Map.of() : report.l3().services();
    for (DeployedServices.Service svc : row.services()) {
      Drift d = svc.canary() ? null : row.driftOf(svc.service());
      h.append("<tr data-service=\"").append(esc(svc.service())).append("\"><th scope=\"row\">")
          .append(esc(svc.service())).append(svc.canary() ? " (canary)" : "").append("</th>");
      cell(h, svc.version(), null, d == null ? null : "sp-drift sp-drift-" + d.kind().label());
      cell(h, nz(l3.get(svc.service())), null, null);
      cell(h, d == null ? "" : d.kind().mark() + " " + d.kind().label(), null,
          d == null ? null : "sp-drift sp-drift-" + d.kind().label());
      cell(h, nz(svc.profile()), null, null);
      cell(h, svc.release(), null, null);
      cell(h, String.valueOf(svc.revision()), null, null);
      cell(h, nz(svc.status()), null, null);
      timeCell(h, parse(svc.deployedAt()), now);
      cell(h, nz(svc.deployedBy()), null, null);
      h.append("</tr>\n");
    }
    for (Drift d : row.drift()) {
      if (d.kind() == Drift.Kind.MISSING) {
        h.append("<tr data-service=\"").append(esc(d.service())).append("\"><th scope=\"row\">").append(esc(d.service()))
            .append("</th><td class=\"sp-drift sp-drift-missing\">not deployed</td><td>").append(esc(d.l3()))
            .append("</td><td class=\"sp-drift sp-drift-missing\">").append(d.kind().mark())
            .append(" missing</td><td colspan=\"6\"></td></tr>\n");
      }
    }
    h.append("</tbody></table>");
  }

  private static void candidates(StringBuilder h, StatusReport report, Instant now) {
    h.append("<section aria-labelledby=\"sp-cands\"><h2 id=\"sp-cands\">Candidates</h2>\n");
    if (report.candidates().isEmpty()) {
      h.append("<p>No candidates.</p></section>\n");
      return;
    }
    h.append("<table class=\"sp-table sp-sortable\" id=\"sp-candidates-table\"><caption>Newest first</caption><thead><tr>");
    String[] cols = {"Candidate", "Service", "Change", "Verdict", "Created", "Took", "Stack", "By", "Reason"};
    String[] types = {"text", "text", "text", "text", "number", "number", "text", "text", "text"};
    for (int i = 0; i < cols.length; i++) {
      h.append("<th scope=\"col\" data-type=\"").append(types[i]).append("\" aria-sort=\"none\"><button type=\"button\" data-col=\"")
          .append(i).append("\">").append(cols[i]).append("</button></th>");
    }
    h.append("</tr></thead><tbody>\n");
    for (StatusReport.Candidate c : report.candidates()) {
      h.append("<tr data-service=\"").append(esc(nz(c.service()))).append("\">");
      cell(h, c.id(), null, null);
      cell(h, nz(c.service()), null, null);
      cell(h, (c.from() == null ? "(new)" : c.from()) + " → " + (c.to() == null ? "(removed)" : c.to()), null, null);
      cell(h, c.verdict(), null, "sp-verdict sp-verdict-" + esc(nz(c.verdict())));
      timeCell(h, c.created(), now);
      cell(h, c.duration() == null ? "" : Durations.format(c.duration()),
          c.duration() == null ? "-1" : String.valueOf(c.duration().toMillis()), null);
      cell(h, nz(c.stack()), null, null);
      cell(h, nz(c.createdBy()), null, null);
      cell(h, nz(c.reason()), null, null);
      h.append("</tr>\n");
    }
    h.append("</tbody></table></section>\n");
  }

  private static void history(StringBuilder h, StatusReport report, Instant now) {
    h.append("<section aria-labelledby=\"sp-hist\"><h2 id=\"sp-hist\">History</h2>\n");
    if (report.history().isEmpty()) {
      h.append("<p>No promotions or deploys yet.</p></section>\n");
      return;
    }
    h.append("<table class=\"sp-table\" id=\"sp-history-table\"><caption>Latest promotions and deploys, newest first</caption>"
        + "<thead><tr><th scope=\"col\">When</th><th scope=\"col\">What</th><th scope=\"col\">Stack</th>"
        + "<th scope=\"col\">Service</th><th scope=\"col\">Version</th><th scope=\"col\">By</th>"
        + "<th scope=\"col\">Detail</th></tr></thead><tbody>\n");
    for (StatusReport.HistoryEntry e : report.history()) {
      h.append("<tr>");
      timeCell(h, e.at(), now);
      cell(h, e.kind(), null, null);
      cell(h, nz(e.stack()), null, null);
      cell(h, nz(e.service()), null, null);
      cell(h, nz(e.version()), null, null);
      cell(h, nz(e.by()), null, null);
      cell(h, nz(e.detail()), null, null);
      h.append("</tr>\n");
    }
    h.append("</tbody></table></section>\n");
  }

  private static void cell(StringBuilder h, String text, String sort, String cls) {
    h.append("<td");
    if (cls != null) {
      h.append(" class=\"").append(cls).append('"');
    }
    if (sort != null) {
      h.append(" data-sort=\"").append(esc(sort)).append('"');
    }
    h.append('>').append(esc(text)).append("</td>");
  }

  private static void timeCell(StringBuilder h, Instant at, Instant now) {
    h.append("<td data-sort=\"").append(at == null ? -1 : at.getEpochSecond()).append("\">")
        .append(at == null ? "" : time(at, now)).append("</td>");
  }

  private static String time(Instant at, Instant now) {
    return "<time datetime=\"" + at + "\" title=\"" + at + "\">" + esc(StatusText.ago(at, now).replace("0s ago", "now"))
        + "</time>";
  }

  private static Instant parse(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static String nz(String value) {
    return value == null ? "" : value;
  }

  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
