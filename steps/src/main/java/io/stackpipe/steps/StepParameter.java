package io.stackpipe.steps;

import java.util.Locale;
import java.util.Map;

/**
 * One named argument of a step, as a Jenkinsfile passes it ({@code version: '1.4.0'}).
 *
 * @param type what the value must be; a Jenkins step class declares the field with {@link Type#javaType()}
 * @param required a required parameter has no default: a Jenkins class takes it in its {@code @DataBoundConstructor},
 *     the optional ones through {@code @DataBoundSetter}s
 * @param defaultValue the value used when the argument is left out, {@code null} for none (then the step says what
 *     it does without it); never set for a required parameter
 * @param help one paragraph for the docs, the Snippet Generator's help and {@code help-<name>.html}
 */
public record StepParameter(String name, Type type, boolean required, Object defaultValue, String help) {

  /** The kinds of values a step takes. Groovy strings ({@code "1.4.${BUILD_NUMBER}"}) count as strings. */
  public enum Type {
    STRING(String.class, "String"),
    BOOLEAN(boolean.class, "boolean"),
    /** Keys and values are strings; numbers and booleans as values are taken as their text. */
    MAP(Map.class, "Map<String, String>");

    private final Class<?> javaType;
    private final String display;

    Type(Class<?> javaType, String display) {
      this.javaType = javaType;
      this.display = display;
    }

    /** The Java type a Jenkins step class uses for the parameter. */
    public Class<?> javaType() {
      return javaType;
    }

    /** How the docs name it. */
    public String display() {
      return display;
    }

    /** How an error names what was expected. */
    String expected() {
      return switch (this) {
        case STRING -> "a string";
        case BOOLEAN -> "true or false";
        case MAP -> "a map such as [key: 'value']";
      };
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public StepParameter {
    if (required && defaultValue != null) {
      throw new IllegalArgumentException(name + ": a required parameter has no default");
    }
  }

  static StepParameter required(String name, Type type, String help) {
    return new StepParameter(name, type, true, null, help);
  }

  static StepParameter optional(String name, Type type, Object defaultValue, String help) {
    return new StepParameter(name, type, false, defaultValue, help);
  }
}
