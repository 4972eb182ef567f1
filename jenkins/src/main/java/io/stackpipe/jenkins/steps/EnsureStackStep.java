package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code ensureStack}: makes sure a persistent or production stack exists; the owner defaults to the build's user. */
public class EnsureStackStep extends StackpipeStep {

  private final String name;
  private String type = "persistent";
  private String owner;
  private String purpose;

  @DataBoundConstructor
  public EnsureStackStep(String name) {
    this.name = name;
  }

  @DataBoundSetter public void setType(String type) { this.type = given("type", type, this.type); }
  @DataBoundSetter public void setOwner(String owner) { this.owner = given("owner", owner, this.owner); }
  @DataBoundSetter public void setPurpose(String purpose) { this.purpose = given("purpose", purpose, this.purpose); }

  public String getName() { return name; }
  public String getType() { return type; }
  public String getOwner() { return owner; }
  public String getPurpose() { return purpose; }

  @Override
  protected String stepName() {
    return "ensureStack";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    v.put("type", type);
    v.put("owner", owner);
    v.put("purpose", purpose);
    return v;
  }

  @Extension
  @Symbol("ensureStack")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "ensureStack";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: make sure a persistent or production stack exists";
    }
  }
}
