package io.stackpipe.stack;

import io.stackpipe.StackpipeException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a stack is for; only ephemeral stacks are ever reaped. */
public enum StackType {
  EPHEMERAL, PERSISTENT, PRODUCTION;

  /** The label value: {@code ephemeral}, {@code persistent}, {@code production}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static StackType parse(String text) {
    for (StackType type : values()) {
      if (type.label().equals(text)) {
        return type;
      }
    }
    throw StackpipeException.ofField("type", "\"" + text + "\" is not a stack type (one of "
        + Arrays.stream(values()).map(StackType::label).collect(Collectors.joining(", ")) + ")");
  }

  /** The type a label holds, or {@code null} when it holds none of them. */
  static StackType fromLabel(String label) {
    for (StackType type : values()) {
      if (type.label().equals(label)) {
        return type;
      }
    }
    return null;
  }
}
