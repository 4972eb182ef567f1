package io.stackpipe;

import java.util.Map;

/**
 * An engine result as front ends hand it on: the JSON the CLI prints and the value a Jenkins step returns.
 * The map holds only strings, numbers, booleans, lists and maps of those (insertion-ordered, stable names),
 * so it serializes as JSON and crosses a Jenkins pipeline's CPS boundary unchanged; it never holds a secret.
 */
public interface Result {

  Map<String, Object> toMap();
}
