package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.io.Serializable;
import java.util.Map;

/**
 * The one service a candidate changes relative to its base L3.
 *
 * @param kind {@code added}, {@code changed} or {@code removed}
 * @param from the version in the base L3, {@code null} when added
 * @param to the version in the candidate, {@code null} when removed
 */
public record Change(String service, String kind, String from, String to) implements Result, Serializable {

  private static final long serialVersionUID = 1L;

  public static final String ADDED = "added";
  public static final String CHANGED = "changed";
  public static final String REMOVED = "removed";

  static Change between(String service, String from, String to) {
    return new Change(service, from == null ? ADDED : to == null ? REMOVED : CHANGED, from, to);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("service", service, "kind", kind, "from", from, "to", to);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ADDED -> service + " added at " + to;
      case REMOVED -> service + " " + from + " removed";
      default -> service + " " + from + " → " + to;
    };
  }
}
