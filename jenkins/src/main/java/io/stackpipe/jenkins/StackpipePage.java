package io.stackpipe.jenkins;

import hudson.Extension;
import hudson.model.Failure;
import hudson.model.RootAction;
import hudson.security.ACL;
import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.stack.policy.StackPolicy;
import io.stackpipe.status.StatusReport;
import io.stackpipe.status.StatusView;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
      return refused(e);
    }
    StackpipeStatus.get().doRun();
    return HttpResponses.redirectToDot();
  }

  /**
   * Keeps the stack {@code by} longer from now (e.g. {@code 3d}); longer than a stack may be kept (the reaper's
   * maximum, or the stack policy's {@code maxKeepUntil}) is refused, never quietly shortened.
   */
  @RequirePOST
  public HttpResponse doExtend(@QueryParameter String stack, @QueryParameter String by) throws IOException {
    Authentication user = mayAct();
    Duration wanted;
    Instant until;
    try {
      wanted = Durations.parse(by);
      until = Instant.now().plus(wanted);
    } catch (IllegalArgumentException e) {
      return new Failure("by: " + e.getMessage());
    } catch (ArithmeticException | DateTimeException e) {
      return new Failure("by: \"" + by + "\" is too long a duration");
    }
    try (Session session = ControllerCluster.open()) {
      find(session, stack, user);
      Stacks stacks = session.stacks();
      Duration policyCap = session.policies().forStack(stack).flatMap(StackPolicy::maxKeep).orElse(null);
      Duration most = policyCap != null && policyCap.compareTo(stacks.reapPolicy().maxKeep()) < 0 ? policyCap
          : stacks.reapPolicy().maxKeep();
      if (wanted.compareTo(most) > 0) {
        return new Failure("by: " + Durations.format(wanted) + " is longer than a stack may be kept: at most "
            + Durations.format(most) + " from now");
      }
      stacks.extend(stack, until, policyCap);
    } catch (StackpipeException e) {
      return refused(e);
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
      // A refusal about the stack itself (absent, not ours, another installation's) reads as someone else's stack;
      // any other (the cluster unreachable) says what it is.
      if (!e.field().filter("stack"::equals).isPresent()) {
        throw e;
      }
    }
    throw new Failure("you own no stack \"" + name + "\"");
  }

  /** The engine's one line on Jenkins' error page, with the field it concerns as the form names it. */
  private static Failure refused(StackpipeException e) {
    return new Failure(e.field().map(field -> field + ": ").orElse("") + e.getMessage());
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

  /** The page's data: the engine's {@link StatusView} of the cached report, with what the user may do per stack. */
  public static final class View {
    private final StackpipeStatus.Snapshot snapshot;
    private final StatusView view;
    private final StatusView.Page page;
    private final String owner;
    private final String stack;
    private final String service;
    private final List<Map<String, Object>> rows = new ArrayList<>();

    View(StackpipeStatus.Snapshot snapshot, String owner, String stack, String service, int requestedPage) {
      this.snapshot = snapshot;
      this.owner = owner;
      this.stack = stack;
      this.service = service;
      StatusReport report = snapshot == null ? null : snapshot.report();
      view = report == null ? null : StatusView.of(report).withOwner(owner).withStack(stack).withService(service)
          .withPageSize(PAGE_SIZE);
      page = view == null ? null : view.page(requestedPage);
      if (page != null) {
        Jenkins jenkins = Jenkins.get();
        boolean admin = jenkins.hasPermission(Jenkins.ADMINISTER);
        boolean production = jenkins.hasPermission(StackpipePermissions.DESTROY_PRODUCTION);
        Authentication user = Jenkins.getAuthentication2();
        for (Map<String, Object> stackRow : page.stacks()) {
          Map<String, Object> row = new LinkedHashMap<>(stackRow);
          boolean mine = !ACL.isAnonymous2(user) && user.getName().equals(row.get("owner"));
          boolean isProduction = StackType.PRODUCTION.label().equals(row.get("type"));
          row.put("mayAct", admin || mine);
          row.put("mayDestroy", (admin || mine) && (!isProduction || production));
          rows.add(row);
        }
      }
    }

    public boolean isReady() { return view != null; }

    /** The report predates the last refreshes (nobody watched the page for a while): a fresh one is on its way. */
    public boolean isStale() {
      return snapshot != null
          && snapshot.at().isBefore(Instant.now().minus(StackpipeStatus.REFRESH.multipliedBy(3)));
    }

    public String getError() { return snapshot == null ? null : snapshot.error(); }
    public String getInstallation() { return view == null ? null : snapshot.report().installation(); }
    public String getGeneratedAt() { return view == null ? null : snapshot.report().generatedAt().toString(); }
    public String getGeneratedText() { return view == null ? null : view.ago(snapshot.report().generatedAt()); }
    public String getOwner() { return owner; }
    public String getStack() { return stack; }
    public String getService() { return service; }
    public int getTotal() { return page == null ? 0 : page.total(); }
    public int getMatching() { return page == null ? 0 : page.matching(); }
    public int getPage() { return page == null ? 1 : page.page(); }
    public int getPages() { return page == null ? 1 : page.pages(); }
    public int getFrom() { return page == null ? 0 : page.from(); }
    public int getTo() { return page == null ? 0 : page.to(); }
    public String getPreviousUrl() { return getPage() > 1 ? query(getPage() - 1) : null; }
    public String getNextUrl() { return getPage() < getPages() ? query(getPage() + 1) : null; }
    public List<Map<String, Object>> getStacks() { return rows; }
    public List<String> getOwners() { return view == null ? List.of() : view.owners(); }
    public List<String> getServices() { return view == null ? List.of() : view.services(); }
    public Map<String, Object> getL3() { return view == null ? null : view.l3(); }
    public List<Map<String, Object>> getProduction() { return view == null ? List.of() : view.production(); }
    public List<Map<String, Object>> getCandidates() { return view == null ? List.of() : view.candidates(); }
    public List<Map<String, Object>> getHistory() { return view == null ? List.of() : view.history(); }

    private String query(int target) {
      StringBuilder q = new StringBuilder("?page=").append(target);
      for (String[] p : new String[][] {{"owner", owner}, {"stack", stack}, {"service", service}}) {
        if (!p[1].isEmpty()) {
          q.append('&').append(p[0]).append('=').append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
        }
      }
      return q.toString();
    }
  }
}
