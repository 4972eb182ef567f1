package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.PromoteL3Execution;
import io.stackpipe.jenkins.StackpipeStep;
import io.stackpipe.jenkins.StepCallExecution;
import io.stackpipe.steps.StepArguments;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code promoteL3}: the L3 gate. With a body ({@code service:}, {@code version:}) it tests the candidate's stack in the
 * body; without one ({@code candidate:}) it promotes a candidate tested elsewhere. Which parameters each form needs is
 * the step layer's rule, so every parameter is optional here.
 */
public class PromoteL3Step extends StackpipeStep {

  private String service;
  private String version;
  private String candidate;
  private boolean keepStackOnFailure = false;

  @DataBoundConstructor
  public PromoteL3Step() {
  }

  @DataBoundSetter public void setService(String service) { this.service = service; given("service"); }
  @DataBoundSetter public void setVersion(String version) { this.version = version; given("version"); }
  @DataBoundSetter public void setCandidate(String candidate) { this.candidate = candidate; given("candidate"); }
  @DataBoundSetter public void setKeepStackOnFailure(boolean keep) { this.keepStackOnFailure = keep; given("keepStackOnFailure"); }

  public String getService() { return service; }
  public String getVersion() { return version; }
  public String getCandidate() { return candidate; }
  public boolean isKeepStackOnFailure() { return keepStackOnFailure; }

  @Override
  protected String stepName() {
    return "promoteL3";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("service", service);
    v.put("version", version);
    v.put("candidate", candidate);
    v.put("keepStackOnFailure", keepStackOnFailure);
    return v;
  }

  @Override
  public StepExecution start(StepContext context) throws Exception {
    StepArguments arguments = validated();
    return context.hasBody() ? new PromoteL3Execution(context, arguments) : new StepCallExecution(context, arguments);
  }

  @Extension
  @Symbol("promoteL3")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "promoteL3";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: L3 gate (test a candidate, then promote or reject it)";
    }

    @Override
    public boolean takesImplicitBlockArgument() {
      return true;
    }
  }
}
