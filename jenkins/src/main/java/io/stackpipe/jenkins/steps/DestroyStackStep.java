package io.stackpipe.jenkins.steps;

import hudson.Extension;
import io.stackpipe.jenkins.StackpipeStep;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;

/** {@code destroyStack}: Destroys a stack */
public class DestroyStackStep extends StackpipeStep {

  private final String name;

  @DataBoundConstructor
  public DestroyStackStep(String name) {
    this.name = name;
  }

  public String getName() { return name; }

  @Override
  protected String stepName() {
    return "destroyStack";
  }

  @Override
  protected Map<String, Object> values() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
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
      return "Stackpipe:  its releases and its namespace (a stack already gone is no error).:destroy a stack";
    }
  }
}
