package io.stackpipe.gate;

import java.util.Locale;

/** How a gate ended; {@link #label} is how results and messages spell it. */
public enum GateVerdict {
  /** L3 is now the candidate. */
  PROMOTED,
  /** Its stack or its system tests failed; L3 unchanged. */
  REJECTED,
  /** It passed, but L3 moved since its base: rebase it. */
  STALE,
  /** The version was in L3 already: nothing made. */
  UNCHANGED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** L3 holds the version: the candidate was promoted, or the version was there already. */
  public boolean succeeded() {
    return this == PROMOTED || this == UNCHANGED;
  }

  @Override
  public String toString() {
    return label();
  }
}
