package io.stackpipe.steps;

import java.util.Map;

/**
 * One pipeline step without Jenkins: its description and its call. Front ends reach steps through {@link Steps},
 * which validates the arguments first and names the step in every refusal.
 */
public interface StepCall {

  StepDescription description();

  /**
   * Refuses arguments whose form is wrong (a version that is not SemVer, an invalid stack name, a bad duration)
   * before anything of the environment is looked at: a bad argument is named first, not a missing setting.
   * Throws a {@link io.stackpipe.StackpipeException}; {@link Steps#validate} names the parameter.
   */
  default void check(StepArguments arguments) {
  }

  /**
   * Runs the step with validated arguments; returns its result map (insertion-ordered; only strings, numbers,
   * booleans, lists and maps of those; serializable; never a secret).
   */
  Map<String, Object> call(StepArguments arguments, StepEnvironment context);
}
