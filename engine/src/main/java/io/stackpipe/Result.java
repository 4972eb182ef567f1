package io.stackpipe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An engine result as front ends hand it on: the JSON the CLI prints and the value a Jenkins step returns.
 * The map holds only strings, numbers, booleans, lists and maps of those (insertion-ordered, stable names),
 * so it serializes as JSON and crosses a Jenkins pipeline's CPS boundary unchanged; it never holds a secret.
 */
public interface Result {

  Map<String, Object> toMap();

  /** The map of alternating names and values, in that order; unlike {@code Map.of} a value may be null. */
  static Map<String, Object> fields(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values come in pairs");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }
}
