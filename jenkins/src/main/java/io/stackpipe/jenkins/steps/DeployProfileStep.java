package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code deployProfile}: one service's chart with one profile onto a stack; the engine enforces the stack policy. */
public class DeployProfileStep extends StackpipeStep {

  private final String chart;
  private String version;
  private final String profile;
  private final String stack;
  private Map<String, Object> set = new LinkedHashMap<>();
  private boolean wait = true;
  private boolean fromL3 = false;
  private String registryCredentialsId;

  @DataBoundConstructor
  public DeployProfileStep(String chart, String profile, String stack) {
    this.chart = chart;
    this.profile = profile;
    this.stack = stack;
  }

  @DataBoundSetter public void setVersion(String version) { this.version = given("version", version, this.version); }
  /** Values as the pipeline wrote them (strings, numbers, booleans); the step layer checks and converts them. */
  @DataBoundSetter public void setSet(Map<String, Object> set) { this.set = set == null ? new LinkedHashMap<>() : new LinkedHashMap<>(set); given("set"); }
  @DataBoundSetter public void setWait(boolean wait) { this.wait = wait; given("wait"); }
  @DataBoundSetter public void setFromL3(boolean fromL3) { this.fromL3 = fromL3; given("fromL3"); }
  @DataBoundSetter public void setRegistryCredentialsId(String registryCredentialsId) {
    this.registryCredentialsId = given("registryCredentialsId", registryCredentialsId, this.registryCredentialsId);
  }

  public String getChart() { return chart; }
  public String getVersion() { return version; }
  public String getProfile() { return profile; }
  public String getStack() { return stack; }
  public Map<String, Object> getSet() { return set; }
  public boolean isWait() { return wait; }
  public boolean isFromL3() { return fromL3; }
  public String getRegistryCredentialsId() { return registryCredentialsId; }

  @Override
  protected String stepName() {
    return "deployProfile";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("chart", chart);
    v.put("version", version);
    v.put("profile", profile);
    v.put("stack", stack);
    v.put("set", set);
    v.put("wait", wait);
    v.put("fromL3", fromL3);
    v.put("registryCredentialsId", registryCredentialsId);
    return v;
  }

  @Extension
  @Symbol("deployProfile")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "deployProfile";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: deploy a service's profile onto a stack";
    }
  }
}
