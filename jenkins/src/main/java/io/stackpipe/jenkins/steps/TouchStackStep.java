package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;

/** {@code touchStack}: Records activity on a stack, so the idle reaper counts its idle time from now. */
public class TouchStackStep extends StackpipeStep {

  private final String name;

  @DataBoundConstructor
  public TouchStackStep(String name) {
    this.name = name;
  }

  public String getName() { return name; }

  @Override
  protected String stepName() {
    return "touchStack";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    return v;
  }

  @Extension
  @Symbol("touchStack")
  public static final class DescriptorImpl extends StackpipeStepDescriptor {
    @Override
    public String getFunctionName() {
      return "touchStack";
    }

    @Override
    public String getDisplayName() {
      return "Stackpipe: record activity on a stack";
    }
  }
}
