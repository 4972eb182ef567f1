package io.stackpipe.steps;

import java.io.Serializable;
import java.util.Objects;

/**
 * Secret material a front end hands to a step (a kubeconfig, an age key): serializable so it can travel to the agent
 * with the step's settings, and never shown — {@link #toString()} is a mask, so a setting printed by mistake, or a
 * settings object in an exception message, shows no secret. Only {@link #plainText()} reveals it, to the engine.
 */
public final class SecretText implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String value;

  private SecretText(String value) {
    this.value = Objects.requireNonNull(value);
  }

  public static SecretText of(String value) {
    return new SecretText(value);
  }

  public String plainText() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SecretText that && value.equals(that.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "****";
  }
}
