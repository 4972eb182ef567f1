package io.stackpipe.steps;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A step's arguments once {@link Steps#validate validated}: every parameter of the step present (left-out ones with
 * their default, possibly null), each value of its parameter's type — {@code String}, {@code Boolean} or a
 * {@code Map<String, String>}. Serializable, so a Jenkins adapter can ship it to the agent that runs the step.
 */
public final class StepArguments implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String step;
  private final LinkedHashMap<String, Object> values;
  private final LinkedHashSet<String> given;

  StepArguments(String step, Map<String, Object> values, Set<String> given) {
    this.step = step;
    this.values = new LinkedHashMap<>(values);
    this.given = new LinkedHashSet<>(given);
  }

  public String step() {
    return step;
  }

  /** The value of a string parameter, null when left out and without default. */
  public String string(String name) {
    return (String) value(name);
  }

  public boolean bool(String name) {
    return Boolean.TRUE.equals(value(name));
  }

  @SuppressWarnings("unchecked")
  public Map<String, String> map(String name) {
    Object value = value(name);
    return value == null ? Map.of() : Collections.unmodifiableMap((Map<String, String>) value);
  }

  /** Whether the pipeline passed the argument (rather than leaving it to its default). */
  public boolean given(String name) {
    value(name);
    return given.contains(name);
  }

  /** All values by parameter name, in the step's parameter order. */
  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(values);
  }

  private Object value(String name) {
    if (!values.containsKey(name)) {
      throw new IllegalArgumentException(step + " has no parameter " + name);
    }
    return values.get(name);
  }

  @Override
  public String toString() {
    return step + values;
  }
}
