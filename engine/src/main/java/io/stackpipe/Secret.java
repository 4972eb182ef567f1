package io.stackpipe;

import java.io.Serializable;
import java.util.Objects;

/**
 * Secret material (a kubeconfig's content, age identities, registry passwords and tokens): serializable so that an
 * installation can travel to a Jenkins agent, and never shown — {@link #toString()} is a mask, so an
 * installation printed by mistake or named in an exception message shows no secret. Only {@link #reveal()} gives
 * the value, to the session that uses it.
 */
public final class Secret implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value);
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret that && value.equals(that.value);
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
