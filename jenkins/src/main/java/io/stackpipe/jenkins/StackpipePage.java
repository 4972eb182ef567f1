package io.stackpipe.jenkins;

import hudson.Extension;
import hudson.model.Failure;
import hudson.model.RootAction;
import hudson.security.ACL;
import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import io.stackpipe.status.Drift;
import io.stackpipe.status.StatusReport;
import io.stackpipe.status.StatusText;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.HttpResponse;
import org.kohsuke.stapler.HttpResponses;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.Stapler;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.interceptor.RequirePOST;
import org.springframework.security.core.Authentication;

/**
 * {@code /stackpipe}: the installation's status (L3, production's drift, every stack with its services, candidates,
 * history) rendered by {@code index.jelly} from the report's data, paged and filtered on the server, with Extend and
 * Destroy for the stacks the user may act on. The report comes from {@link StackpipeStatus} (built off the request
 * thread), so a view opens no cluster connection. Behaviour (live filter, expand, live times, confirmations) is the
 * adjunct {@code page.js}: nothing inline, so the page works under {@code script-src 'self'}.
 *
 * <p>Actions are POST-only (crumb checked by Jenkins) and check permissions before anything about the stack: the
 * owner or an administrator may act; a non-administrator gets one answer for "no such stack" and "not yours".
 * Destroying a production stack also needs {@link StackpipePermissions#DESTROY_PRODUCTION} and the stack's name typed
 * again; a persistent stack needs a confirmation. Refusals render Jenkins' own error page ({@link Failure}).
 */
@Extension
public final class StackpipePage implements RootAction {

  static final int PAGE_SIZE = 50;

  @Override
  public String getIconFileName() {
    return Jenkins.get().hasPermission(Jenkins.READ) ? "symbol-cube" : null;
  }

  @Override
  public String getDisplayName() {
    return "Stackpipe";
  }

  @Override
  public String getUrlName() {
    return "stackpipe";
  }

  /** What the page shows for the current request's filters and page. */
  public View getView() {
    Jenkins.get().checkPermission(Jenkins.READ);
    StaplerRequest2 request = Stapler.getCurrentRequest2();
    return new View(StackpipeStatus.get().viewed(), param(request, "owner"), param(request, "stack"),
        param(request, "service"), Math.max(1, parseInt(param(request, "page"))));
  }

  @RequirePOST
  public HttpResponse doDestroy(@QueryParameter String stack, @QueryParameter String confirm,
      @QueryParameter boolean confirmed) throws IOException {
    Authentication user = mayAct();
    try (Session session = ControllerCluster.open()) {
      Stack found = find(session, stack, user);
      if (found.type() == StackType.PRODUCTION) {
        Jenkins.get().checkPermission(StackpipePermissions.DESTROY_PRODUCTION);
      } else if (found.type() == StackType.PERSISTENT && !confirmed) {
        return new Failure("\"" + stack + "\" is a persistent stack: confirm destroying it");
      }
      session.stacks().withActor(user.getName()).destroy(stack).withConfirmation(confirm).call();
    } catch (StackpipeException e) {
      return new Failure(e.getMessage());
    }
    StackpipeStatus.get().doRun();
    return HttpResponses.redirectToDot();
  }

  /** Keeps the stack {@code by} longer from now (e.g. {@code 3d}), within the engine's cap. */
  @RequirePOST
  public HttpResponse doExtend(@QueryParameter String stack, @QueryParameter String by) throws IOException {
    Authentication user = mayAct();
    try (Session session = ControllerCluster.open()) {
      find(session, stack, user);
      session.stacks().extend(stack, Instant.now().plus(Durations.parse(by)), null);
    } catch (StackpipeException | IllegalArgumentException e) {
      return new Failure(e.getMessage());
    }
    StackpipeStatus.get().doRun();
    return HttpResponses.redirectToDot();
  }

  /** Before anything about a stack: signed in with Overall/Read (anonymous only as an administrator). */
  private static Authentication mayAct() {
    Jenkins jenkins = Jenkins.get();
    jenkins.checkPermission(Jenkins.READ);
    Authentication user = Jenkins.getAuthentication2();
    if (ACL.isAnonymous2(user)) {
      jenkins.checkPermission(Jenkins.ADMINISTER);
    }
    return user;
  }

  /** The stack, if the user may act on it; "absent" and "not yours" read the same to a non-administrator. */
  private static Stack find(Session session, String name, Authentication user) {
    if (Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
      return session.stacks().show(name);
    }
    try {
      Stack found = session.stacks().show(name);
      if (user.getName().equals(found.owner())) {
        return found;
      }
    } catch (StackpipeException e) {
      // Same answer as for someone else's stack.
    }
    throw new Failure("you own no stack \"" + name + "\"");
  }

  private static String param(StaplerRequest2 request, String name) {
    String value = request == null ? null : request.getParameter(name);
    return value == null ? "" : value.strip();
  }

  private static int parseInt(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** The page's data: plain strings, numbers, lists and maps that {@code index.jelly} renders escaped. */
  public static final class View {
    private final StackpipeStatus.Snapshot snapshot;
    private final String owner;
    private final String stack;
    private final String service;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final int matching;
    private final int page;
    private final int pages;

    View(StackpipeStatus.Snapshot snapshot, String owner, String stack, String service, int requestedPage) {
      this.snapshot = snapshot;
      this.owner = owner;
      this.stack = stack;
      this.service = service;
      List<StatusReport.StackStatus> shown = report() == null ? List.of() : report().stacks().stream()
          .filter(s -> contains(s.stack().owner(), owner) && contains(s.stack().name(), stack)
              && (service.isEmpty() || s.services().stream().anyMatch(v -> contains(v.service(), service))))
          .toList();
      matching = shown.size();
      pages = Math.max(1, (matching + PAGE_SIZE - 1) / PAGE_SIZE);
      page = Math.min(requestedPage, pages);
      int from = (page - 1) * PAGE_SIZE;
      for (int i = from; i < Math.min(matching, from + PAGE_SIZE); i++) {
        rows.add(row(shown.get(i), "sp-svc-" + i));
      }
    }

    private StatusReport report() {
      return snapshot == null ? null : snapshot.report();
    }

    public boolean isReady() { return report() != null; }
    public String getError() { return snapshot == null ? null : snapshot.error(); }
    public String getInstallation() { return report() == null ? null : report().installation(); }
    public String getGeneratedAt() { return report() == null ? null : report().generatedAt().toString(); }
    public String getGeneratedText() { return report() == null ? null : ago(report().generatedAt()); }
    public String getOwner() { return owner; }
    public String getStack() { return stack; }
    public String getService() { return service; }
    public int getTotal() { return report() == null ? 0 : report().stacks().size(); }
    public int getMatching() { return matching; }
    public int getPage() { return page; }
    public int getPages() { return pages; }
    public int getFrom() { return matching == 0 ? 0 : (page - 1) * PAGE_SIZE + 1; }
    public int getTo() { return (page - 1) * PAGE_SIZE + rows.size(); }
    public String getPreviousUrl() { return page > 1 ? query(page - 1) : null; }
    public String getNextUrl() { return page < pages ? query(page + 1) : null; }
    public List<Map<String, Object>> getStacks() { return rows; }

    public List<String> getOwners() {
      return report() == null ? List.of() : report().stacks().stream().map(s -> s.stack().owner())
          .filter(o -> o != null).distinct().sorted().toList();
    }

    public List<String> getServices() {
      return report() == null ? List.of() : report().stacks().stream().flatMap(s -> s.services().stream())
          .map(DeployedServices.Service::service).collect(Collectors.toCollection(TreeSet::new)).stream().toList();
    }

    /** L3's version, digest and promotion, and its services in name order; {@code null} without L3. */
    public Map<String, Object> getL3() {
      StatusReport.L3 l3 = report() == null ? null : report().l3();
      if (l3 == null) {
        return null;
      }
      Map<String, Object> map = new LinkedHashMap<>(l3.toMap());
      map.put("promotedAtText", l3.promotedAt() == null ? null : ago(l3.promotedAt()));
      map.put("serviceList", l3.services().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> Map.of("service", e.getKey(), "version", e.getValue())).toList());
      return map;
    }

    /** Each production stack: in sync with L3, or its drift as text. */
    public List<Map<String, Object>> getProduction() {
      if (report() == null) {
        return List.of();
      }
      return report().production().stream().map(p -> {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("stack", p.stack().name());
        map.put("state", report().l3() == null ? "no L3 to compare" : p.drift().isEmpty() ? "in sync" : "drift");
        map.put("drift", p.drift().stream()
            .map(d -> Map.of("kind", d.kind().label(), "text", StatusText.driftText(d))).toList());
        return map;
      }).toList();
    }

    public List<Map<String, Object>> getCandidates() {
      if (report() == null) {
        return List.of();
      }
      return report().candidates().stream().map(c -> {
        Map<String, Object> map = new LinkedHashMap<>(c.toMap());
        map.put("change", (c.from() == null ? "(new)" : c.from()) + " → " + (c.to() == null ? "(removed)" : c.to()));
        map.put("createdText", c.created() == null ? null : ago(c.created()));
        map.put("took", c.duration() == null ? "" : Durations.format(c.duration()));
        return map;
      }).toList();
    }

    public List<Map<String, Object>> getHistory() {
      if (report() == null) {
        return List.of();
      }
      return report().history().stream().map(e -> {
        Map<String, Object> map = new LinkedHashMap<>(e.toMap());
        map.put("atText", e.at() == null ? null : ago(e.at()));
        return map;
      }).toList();
    }

    private Map<String, Object> row(StatusReport.StackStatus status, String id) {
      Stack s = status.stack();
      Jenkins jenkins = Jenkins.get();
      boolean admin = jenkins.hasPermission(Jenkins.ADMINISTER);
      Authentication user = Jenkins.getAuthentication2();
      boolean mine = !ACL.isAnonymous2(user) && user.getName().equals(s.owner());
      Map<String, Object> row = new LinkedHashMap<>(status.toMap());
      row.put("id", id);
      row.put("createdText", s.created() == null ? null : ago(s.created()));
      row.put("lastActivityText", s.lastActivity() == null ? null : ago(s.lastActivity()));
      Instant now = report().generatedAt();
      boolean kept = s.keepUntil() != null && s.keepUntil().isAfter(now);
      Instant reap = kept ? s.keepUntil() : s.reapAt();
      row.put("reapLabel", kept ? "kept until" : reap == null ? "never reaped" : "reaped");
      row.put("reap", reap == null ? null : reap.toString());
      row.put("reapText", reap == null ? null : ago(reap));
      row.put("manifestText", s.manifest() == null ? "" : s.manifest().chart() + " " + s.manifest().version());
      row.put("serviceNames", status.services().stream().map(DeployedServices.Service::service).distinct()
          .collect(Collectors.joining(" ")));
      row.put("driftText", report().l3() == null ? "n/a" : status.drift().isEmpty() ? "✓ in sync"
          : status.drift().stream().map(d -> d.kind().mark() + " " + d.service()).collect(Collectors.joining(", ")));
      row.put("driftClass", status.drift().isEmpty() ? "sp-sync" : "sp-drift-summary");
      Map<String, String> l3 = report().l3() == null ? Map.of() : report().l3().services();
      List<Map<String, Object>> services = new ArrayList<>();
      for (DeployedServices.Service v : status.services()) {
        Drift d = v.canary() ? null : status.driftOf(v.service());
        Map<String, Object> line = new LinkedHashMap<>(v.toMap());
        line.put("l3", l3.get(v.service()));
        line.put("drift", d == null ? null : d.kind().label());
        line.put("driftText", d == null ? "" : d.kind().mark() + " " + d.kind().label());
        line.put("driftClass", d == null ? "" : "sp-drift sp-drift-" + d.kind().label());
        Instant at = instant(v.deployedAt());
        line.put("deployedAtText", at == null ? null : ago(at));
        services.add(line);
      }
      row.put("serviceRows", services);
      row.put("missing", status.drift().stream().filter(d -> d.kind() == Drift.Kind.MISSING)
          .map(d -> Map.of("service", d.service(), "l3", d.l3())).toList());
      row.put("mayAct", admin || mine);
      row.put("production", s.type() == StackType.PRODUCTION);
      row.put("persistent", s.type() == StackType.PERSISTENT);
      row.put("mayDestroy", (admin || mine) && (s.type() != StackType.PRODUCTION
          || jenkins.hasPermission(StackpipePermissions.DESTROY_PRODUCTION)));
      return row;
    }

    private String query(int target) {
      StringBuilder q = new StringBuilder("?page=").append(target);
      for (String[] p : new String[][] {{"owner", owner}, {"stack", stack}, {"service", service}}) {
        if (!p[1].isEmpty()) {
          q.append('&').append(p[0]).append('=').append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
        }
      }
      return q.toString();
    }

    private String ago(Instant at) {
      return StatusText.ago(at, report().generatedAt());
    }
  }

  private static boolean contains(String value, String part) {
    return part.isEmpty() || (value != null && value.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT)));
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
