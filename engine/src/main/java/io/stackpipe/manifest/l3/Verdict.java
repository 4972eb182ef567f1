package io.stackpipe.manifest.l3;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.stackpipe.StackpipeException;
import java.util.Locale;

/**
 * Where a candidate stands. {@code PENDING} and {@code PASSED} are open (promotable); the others are finished, and
 * only finished candidates are pruned by the retention limit.
 */
public enum Verdict {
  PENDING, PASSED, PROMOTED, FAILED, REJECTED, STALE;

  @JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean open() {
    return this == PENDING || this == PASSED;
  }

  @JsonCreator
  public static Verdict parse(String text) {
    for (Verdict v : values()) {
      if (v.label().equals(text)) {
        return v;
      }
    }
    throw StackpipeException.ofField("verdict", "'" + text + "' is not a verdict (pending, passed, promoted, failed,"
        + " rejected, stale)");
  }
}
