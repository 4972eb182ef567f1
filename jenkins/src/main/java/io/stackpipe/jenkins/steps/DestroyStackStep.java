package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code destroyStack}: destroys a stack; a production stack only with {@code confirm} naming it again. */
public class DestroyStackStep extends StackpipeStep {

  private final String name;
  private String confirm;

  @DataBoundConstructor
  public DestroyStackStep(String name) {
    this.name = name;
  }

  @DataBoundSetter public void setConfirm(String confirm) { this.confirm = confirm; given("confirm"); }

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
