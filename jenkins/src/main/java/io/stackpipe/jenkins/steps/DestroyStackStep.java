package io.stackpipe.jenkins.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.security.ACL;
import io.stackpipe.jenkins.StackpipePermissions;
import io.stackpipe.jenkins.StackpipeStep;
import io.stackpipe.jenkins.StepCallExecution;
import io.stackpipe.steps.StepArguments;
import java.util.LinkedHashMap;
import java.util.Map;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.springframework.security.core.Authentication;

/**
 * {@code destroyStack}: destroys a stack; a production stack only with {@code confirm} naming it again, which also
 * needs the build's authentication to hold {@link StackpipePermissions#DESTROY_PRODUCTION}.
 */
public class DestroyStackStep extends StackpipeStep {

  private final String name;
  private String confirm;

  @DataBoundConstructor
  public DestroyStackStep(String name) {
    this.name = name;
  }

  @DataBoundSetter public void setConfirm(String confirm) { this.confirm = given("confirm", confirm, this.confirm); }

  public String getName() { return name; }
  public String getConfirm() { return confirm; }

  @Override
  protected String stepName() {
    return "destroyStack";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    v.put("confirm", confirm);
    return v;
  }

  /**
   * Arguments first, then the permission: {@code start} runs on the CPS thread as the build's authentication.
   * SYSTEM — what a build runs as unless an authenticator (e.g. Authorize Project) gives it a user — is refused,
   * although SYSTEM holds every permission, so that no build can destroy production by default.
   */
  @Override
  public StepExecution start(StepContext context) throws Exception {
    StepArguments arguments = validated();
    if (confirm != null && !confirm.isBlank()) {
      Authentication build = Jenkins.getAuthentication2();
      if (ACL.SYSTEM2.equals(build)) {
        throw new AbortException("destroyStack: confirm: destroying a production stack needs the"
            + " Stackpipe/DestroyProduction permission, and this build runs as SYSTEM: run it as a user who has it"
            + " (e.g. with the Authorize Project plugin)");
      }
      if (!Jenkins.get().hasPermission2(build, StackpipePermissions.DESTROY_PRODUCTION)) {
        throw new AbortException("destroyStack: confirm: destroying a production stack needs the"
            + " Stackpipe/DestroyProduction permission, which " + build.getName() + " does not have");
      }
    }
    return new StepCallExecution(context, arguments);
  }

  @Extension
  @Symbol("destroyStack")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "destroyStack";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: destroy a stack";
    }
  }
}
