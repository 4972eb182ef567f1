package io.stackpipe.steps;

import io.stackpipe.Masking;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;

/**
 * A step's refusal as a pipeline prints it: one line, the step first, then the argument it concerns as a
 * Jenkinsfile writes it, then the engine's message — {@code deployProfile: version: '1.x' is not SemVer 2 …}.
 * The Jenkins adapter fails the build with exactly this message (an {@code AbortException}, no stack trace).
 * It never carries a secret: engine messages carry none, and argument values are not repeated.
 */
public final class StepException extends StackpipeException {

  private final String step;

  StepException(String step, String field, String message, Throwable cause) {
    super(field, step + ": " + (field == null ? "" : field + ": ") + message, cause);
    this.step = step;
  }

  /** A refusal of argument {@code field} of {@code step}. */
  public static StepException ofArgument(String step, String field, String message) {
    return new StepException(step, field, message, null);
  }

  /** A refusal of the step as a whole. */
  public static StepException of(String step, String message) {
    return new StepException(step, null, message, null);
  }

  /** {@code failure} of the engine, named after the step and, when it concerns one, its argument. */
  static StepException from(String step, Throwable failure) {
    if (failure instanceof StepException known) {
      return known;
    }
    if (failure instanceof StackpipeException refusal) {
      return new StepException(step, refusal.field().orElse(null), refusal.getMessage(), failure);
    }
    return new StepException(step, null, Messages.firstLine(failure), failure);
  }

  /** This refusal with {@code masking}'s values masked in its message, without the cause that carries them. */
  StepException masked(Masking masking) {
    String shown = masking.mask(getMessage());
    if (shown.equals(getMessage())) {
      return this;
    }
    String prefix = step + ": " + field().map(f -> f + ": ").orElse("");
    return new StepException(step, field().orElse(null),
        shown.startsWith(prefix) ? shown.substring(prefix.length()) : shown, null);
  }

  public String step() {
    return step;
  }
}
