package io.stackpipe.jenkins;

import hudson.Extension;
import hudson.Util;
import hudson.model.RootAction;
import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import io.stackpipe.status.StatusHtml;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.HttpResponse;
import org.kohsuke.stapler.HttpResponses;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.interceptor.RequirePOST;

/**
 * {@code /stackpipe}: the engine's status report (L3, stacks, drift, history) inside the Jenkins layout, and the
 * signed-in user's stacks with destroy and extend. Actions are POST-only (the crumb is checked by Jenkins' CSRF
 * filter) and allowed to the stack's owner or an administrator.
 */
@Extension
public final class StackpipePage implements RootAction {

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

  /** The engine's HTML section (its own style and script), or the refusal that prevented it, escaped. */
  public String getStatusHtml() throws IOException {
    Jenkins.get().checkPermission(Jenkins.READ);
    try (Session session = ControllerCluster.open()) {
      return StatusHtml.fragment(session.status().call(), 60);
    } catch (StackpipeException e) {
      return "<p class=\"error\">" + Util.escape(e.getMessage()) + "</p>";
    }
  }

  /** The stacks the signed-in user may destroy or extend (their own, or all for an administrator), as the engine maps them. */
  public List<Map<String, Object>> getMyStacks() throws IOException {
    Jenkins.get().checkPermission(Jenkins.READ);
    try (Session session = ControllerCluster.open()) {
      boolean admin = Jenkins.get().hasPermission(Jenkins.ADMINISTER);
      return session.stacks().list(admin ? null : Jenkins.getAuthentication2().getName()).stacks().stream()
          .map(Stack::toMap).toList();
    } catch (StackpipeException e) {
      return List.of();
    }
  }

  @RequirePOST
  public HttpResponse doDestroy(@QueryParameter String stack) throws IOException {
    try (Session session = ControllerCluster.open()) {
      allowed(session, stack);
      session.stacks().withActor(Jenkins.getAuthentication2().getName()).destroy(stack).call();
      return HttpResponses.redirectToDot();
    } catch (StackpipeException e) {
      return HttpResponses.errorWithoutStack(400, e.getMessage());
    }
  }

  /** Keeps the stack {@code by} longer from now (e.g. {@code 3d}), within the engine's cap. */
  @RequirePOST
  public HttpResponse doExtend(@QueryParameter String stack, @QueryParameter String by) throws IOException {
    try (Session session = ControllerCluster.open()) {
      allowed(session, stack);
      session.stacks().extend(stack, Instant.now().plus(Durations.parse(by)), null);
      return HttpResponses.redirectToDot();
    } catch (StackpipeException | IllegalArgumentException e) {
      return HttpResponses.errorWithoutStack(400, e.getMessage());
    }
  }

  private static void allowed(Session session, String stack) {
    Jenkins.get().checkPermission(Jenkins.READ);
    Stack found = session.stacks().show(stack);
    if (!Jenkins.getAuthentication2().getName().equals(found.owner())) {
      Jenkins.get().checkPermission(Jenkins.ADMINISTER);
    }
  }
}
