package io.stackpipe.jenkins;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepDescription;
import io.stackpipe.steps.StepException;
import io.stackpipe.steps.StepParameter;
import io.stackpipe.steps.Steps;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * What the Stackpipe step classes share: their fields are the step layer's parameters (the contract test checks
 * names, types and defaults), and their values go through the layer's validation, so a Jenkinsfile, the pipeline
 * tests and the CLI get the same refusals. An optional parameter counts as given when its setter ran — as the
 * step layer counts it —, even with its default value: {@code promoteL3 candidate: id, keepStackOnFailure: false}
 * is refused here as it is everywhere.
 */
public abstract class StackpipeStep extends Step {

  // Not final: a step saved by an earlier version has none, and then counts what differs from the defaults.
  private Set<String> given = new LinkedHashSet<>();

  /** Each {@code @DataBoundSetter} calls this: the pipeline passed the argument. */
  protected final void given(String parameter) {
    if (given == null) {
      given = new LinkedHashSet<>();
    }
    given.add(parameter);
  }

  /**
   * A string {@code @DataBoundSetter}'s value: a blank one is "not given" — the Snippet Generator's forms send an
   * empty optional field as {@code ''} — so the field keeps {@code current} (its default) and the generated snippet
   * leaves the argument out, as structs omits a value equal to the default.
   */
  protected final String given(String parameter, String value, String current) {
    if (value == null || value.isBlank()) {
      return current;
    }
    given(parameter);
    return value;
  }

  /** The step layer's name of the step (its {@code @Symbol}). */
  protected abstract String stepName();

  /** Every parameter's current value, by the layer's parameter name. */
  protected abstract Map<String, Object> values();

  protected StepArguments validated() throws AbortException {
    StepDescription description = Steps.description(stepName());
    Map<String, Object> arguments = new LinkedHashMap<>();
    values().forEach((name, value) -> {
      StepParameter parameter = description.parameter(name).orElseThrow();
      boolean passed = parameter.required() || (given != null ? given.contains(name)
          : !Objects.equals(value, parameter.defaultValue()) && !(value instanceof Map<?, ?> m && m.isEmpty()));
      if (value != null && passed) {
        arguments.put(name, value);
      }
    });
    try {
      return Steps.validate(stepName(), arguments);
    } catch (StepException e) {
      throw new AbortException(e.getMessage());
    }
  }

  @Override
  public StepExecution start(StepContext context) throws Exception {
    return new StepCallExecution(context, validated());
  }

  /**
   * The descriptors' common part: a node's workspace is required, since the work runs on that agent; and the raw
   * arguments of a Jenkinsfile are checked by the step layer before structs binds them, because structs drops an
   * unknown (misspelt) argument with only a WARNING and fails a wrong type with a ClassCastException.
   */
  public abstract static class StackpipeStepDescriptor extends StepDescriptor {
    @Override
    public Set<? extends Class<?>> getRequiredContext() {
      return Set.of(Run.class, TaskListener.class, FilePath.class, EnvVars.class);
    }

    // Deprecated for CustomDescribableModel, whose refusals structs wraps into "Could not instantiate {all
    // arguments}…"; workflow-cps still calls an overriding newInstance, whose AbortException is the one line.
    @SuppressWarnings("deprecation")
    @Override
    public Step newInstance(Map<String, Object> arguments) throws Exception {
      try {
        Steps.validate(getFunctionName(), arguments);
      } catch (StepException e) {
        throw new AbortException(e.getMessage());
      }
      return super.newInstance(arguments);
    }
  }
}
