package io.stackpipe.steps;

import java.util.Map;

/**
 * One pipeline step without Jenkins: its description and its call. Front ends reach steps through {@link Steps},
 * which validates the arguments first and names the step in every refusal.
 */
public interface StepCall {

  StepDescription description();

  /**
   * Runs the step with validated arguments; returns its result map (insertion-ordered; only strings, numbers,
   * booleans, lists and maps of those; serializable; never a secret).
   */
  Map<String, Object> call(StepArguments arguments, StepEnvironment context);
}
