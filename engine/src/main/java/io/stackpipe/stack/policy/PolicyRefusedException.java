package io.stackpipe.stack.policy;

import io.stackpipe.StackpipeException;

/** A stack policy forbids the operation; the message names the policy entry and its rule. */
public final class PolicyRefusedException extends StackpipeException {
  private final String rule;

  PolicyRefusedException(String rule, String message) {
    super(message);
    this.rule = rule;
  }

  /** The refusing rule: {@code deployers}, {@code profiles}, {@code windows}, {@code canaryFirst} or
   * {@code quality}. */
  public String rule() {
    return rule;
  }
}
