package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code promoteCandidate}: promotes an L3 candidate tested elsewhere, by its id. */
public class PromoteCandidateStep extends StackpipeStep {

  private final String candidate;
  private String registryCredentialsId;

  @DataBoundConstructor
  public PromoteCandidateStep(String candidate) {
    this.candidate = candidate;
  }

  @DataBoundSetter public void setRegistryCredentialsId(String registryCredentialsId) {
    this.registryCredentialsId = given("registryCredentialsId", registryCredentialsId, this.registryCredentialsId);
  }

  public String getCandidate() { return candidate; }
  public String getRegistryCredentialsId() { return registryCredentialsId; }

  @Override
  protected String stepName() {
    return "promoteCandidate";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("candidate", candidate);
    v.put("registryCredentialsId", registryCredentialsId);
    return v;
  }

  @Extension
  @Symbol("promoteCandidate")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "promoteCandidate";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: promote an L3 candidate tested elsewhere";
    }
  }
}
