package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.PromoteL3Execution;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code promoteL3}: the L3 gate, always with a body (Jenkins refuses a block step called without one) that tests the
 * candidate's stack; {@code promoteCandidate} promotes a candidate tested elsewhere.
 */
public class PromoteL3Step extends StackpipeStep {

  private final String service;
  private final String version;
  private boolean keepStackOnFailure = false;
  private String registryCredentialsId;

  @DataBoundConstructor
  public PromoteL3Step(String service, String version) {
    this.service = service;
    this.version = version;
  }

  @DataBoundSetter public void setKeepStackOnFailure(boolean keep) { this.keepStackOnFailure = keep; given("keepStackOnFailure"); }
  @DataBoundSetter public void setRegistryCredentialsId(String registryCredentialsId) {
    this.registryCredentialsId = given("registryCredentialsId", registryCredentialsId, this.registryCredentialsId);
  }

  public String getService() { return service; }
  public String getVersion() { return version; }
  public boolean isKeepStackOnFailure() { return keepStackOnFailure; }
  public String getRegistryCredentialsId() { return registryCredentialsId; }

  @Override
  protected String stepName() {
    return "promoteL3";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("service", service);
    v.put("version", version);
    v.put("keepStackOnFailure", keepStackOnFailure);
    v.put("registryCredentialsId", registryCredentialsId);
    return v;
  }

  @Override
  public StepExecution start(StepContext context) throws Exception {
    return new PromoteL3Execution(context, validated());
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
