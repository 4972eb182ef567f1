package io.stackpipe.steps;

import io.stackpipe.Masking;
import io.stackpipe.StackpipeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The step catalogue and the one way to call a step: validate the arguments against the step's parameters, call
 * it, and turn every failure into one {@link StepException} naming the step (and the argument, when it concerns
 * one).
 *
 * <pre>{@code
 * Map<String, Object> chart = Steps.call("buildChart", Map.of("version", "1.4.0", "push", true), context);
 * }</pre>
 */
public final class Steps {

  /** The parameter of the steps that talk to the chart registry: its credential for one step. */
  static final String REGISTRY_CREDENTIALS_ID = "registryCredentialsId";

  private static final Map<String, StepCall> STEPS = new LinkedHashMap<>();

  static {
    for (StepCall step : List.of(new BuildChartStep(), new CreateEphemeralStackStep(), new PromoteL3Step(),
        new PromoteCandidateStep(), new EnsureStackStep(), new DeployProfileStep(), new DestroyStackStep(),
        new TouchStackStep())) {
      STEPS.put(step.description().name(), step);
    }
  }

  private Steps() {
  }

  /** Every step, in the order the docs list them. */
  public static List<StepDescription> descriptions() {
    return STEPS.values().stream().map(StepCall::description).toList();
  }

  public static StepDescription description(String step) {
    return named(step).description();
  }

  /** The block step's two phases, for front ends that run its body. */
  public static PromoteL3Step promoteL3() {
    return (PromoteL3Step) named(PromoteL3Step.NAME);
  }

  /**
   * Checks {@code arguments} as a Jenkinsfile passed them (names to values; Groovy strings allowed) against the
   * step's parameters and returns them typed, with defaults for those left out; a blank string counts as left
   * out. The first problem is refused: an unknown parameter (with the known ones), a missing required one, a
   * value of the wrong type, or a value of the wrong form (the step's own {@link StepCall#check}).
   */
  public static StepArguments validate(String step, Map<String, ?> arguments) {
    StepDescription description = named(step).description();
    for (String name : arguments.keySet()) {
      if (description.parameter(name).isEmpty()) {
        throw StepException.ofArgument(step, name, "unknown parameter; " + step + " takes "
            + String.join(", ", description.parameters().stream().map(StepParameter::name).toList()));
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    Set<String> given = new LinkedHashSet<>();
    for (StepParameter parameter : description.parameters()) {
      Object value = arguments.get(parameter.name());
      if (value instanceof CharSequence text && text.toString().isBlank()) {
        value = null; // blank is "not given": what the Snippet Generator writes for an empty optional field
      }
      if (value == null) {
        if (parameter.required()) {
          throw StepException.ofArgument(step, parameter.name(), "is required");
        }
        values.put(parameter.name(), parameter.defaultValue());
      } else {
        values.put(parameter.name(), typed(step, parameter, value));
        given.add(parameter.name());
      }
    }
    StepArguments validated = new StepArguments(step, values, given);
    check(step, validated);
    return validated;
  }

  /** The step's own checks of its arguments' forms. */
  private static void check(String step, StepArguments arguments) {
    named(step).check(arguments);
  }

  /**
   * Runs {@code check} on the string argument {@code parameter} when it is given; its refusal (an engine refusal
   * or an IllegalArgumentException) becomes the step's, naming the parameter.
   */
  static void checkArgument(StepArguments arguments, String parameter, Consumer<String> check) {
    String value = arguments.string(parameter);
    if (value == null) {
      return;
    }
    try {
      check.accept(value);
    } catch (StackpipeException | IllegalArgumentException e) {
      throw StepException.ofArgument(arguments.step(), parameter, e.getMessage());
    }
  }

  /** Validates and calls {@code step}. */
  public static Map<String, Object> call(String step, Map<String, ?> arguments, StepEnvironment context) {
    StepArguments validated = validate(step, arguments);
    return call(validated, context);
  }

  /** Calls the step of already validated arguments (for instance shipped to an agent). */
  public static Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    StepCall step = named(arguments.step());
    requireResolvedCredential(arguments, context.settings());
    return masked(arguments.step(), context, shown -> step.call(arguments, shown));
  }

  /**
   * Runs {@code work} of {@code step} with the context's progress lines masked ({@link StepEnvironment#masking()}:
   * the installation's credentials), and any refusal it ends with masked too and named after the step: what every
   * step prints passes the same mask, as credentials-binding's console filter masks a build log.
   */
  static <T> T masked(String step, StepEnvironment context, Function<StepEnvironment, T> work) {
    Masking masking = context.masking();
    StepEnvironment shown = context.withProgress(masking.wrap(context.progress()));
    try {
      return refusingAs(step, () -> work.apply(shown));
    } catch (StepException e) {
      throw e.masked(masking);
    }
  }

  /**
   * Calls the step again after the process running it died (a Jenkins controller restarted during it): what the
   * cluster holds of the first run is taken as it is — a deploy or a chart push simply runs again — except a stack
   * that {@code createEphemeralStack} was making, which is destroyed and made anew when it is this step's (its name,
   * its owner, created since {@code startedAt}).
   */
  public static Map<String, Object> resume(StepArguments arguments, Instant startedAt, StepEnvironment context) {
    context.progress().accept(arguments.step() + ": resumed after a restart; running it again");
    StepCall step = named(arguments.step());
    requireResolvedCredential(arguments, context.settings());
    return masked(arguments.step(), context, shown -> {
      if (step instanceof CreateEphemeralStackStep create) {
        create.undoHalfMade(arguments, startedAt, shown);
      }
      return step.call(arguments, shown);
    });
  }

  /**
   * The {@code registryCredentialsId} the arguments give, for the front end to resolve into the step's settings
   * ({@link StepSettings#withStepRegistryCredential}); null when not given or when the step takes none.
   */
  public static String registryCredentialsId(StepArguments arguments) {
    return named(arguments.step()).description().parameter(REGISTRY_CREDENTIALS_ID).isPresent()
        ? arguments.string(REGISTRY_CREDENTIALS_ID) : null;
  }

  /** {@code registryCredentialsId}: the chart registry's credential for one step, which the front end resolves. */
  static StepParameter registryCredentialsId() {
    return StepParameter.optional(REGISTRY_CREDENTIALS_ID, StepParameter.Type.STRING, null, "The id of a"
        + " username/password credential for the chart registry's host in this step only, instead of the registry"
        + " list's entry for that host in the Stackpipe settings. Default: the settings' credentials.");
  }

  /**
   * A step given {@code registryCredentialsId} runs only with that id resolved into its settings
   * ({@link StepSettings#withStepRegistryCredential}): a front end that cannot resolve it must not silently run
   * with another credential.
   */
  static void requireResolvedCredential(StepArguments arguments, StepSettings settings) {
    String id = registryCredentialsId(arguments);
    if (id != null && !id.equals(settings.stepRegistryCredentialsId())) {
      throw StepException.ofArgument(arguments.step(), REGISTRY_CREDENTIALS_ID, "'" + id + "' was not resolved to a"
          + " credential: only the Jenkins plugin resolves credentials ids; elsewhere give the registry's credential"
          + " in the settings");
    }
  }

  /** Runs {@code work}, turning any failure into a {@link StepException} of {@code step}. */
  static <T> T refusingAs(String step, Supplier<T> work) {
    try {
      return work.get();
    } catch (StackpipeException | IllegalStateException | java.io.UncheckedIOException e) {
      throw StepException.from(step, e);
    }
  }

  private static StepCall named(String step) {
    StepCall found = STEPS.get(step);
    if (found == null) {
      throw new IllegalArgumentException("no step " + step + "; steps are " + String.join(", ", STEPS.keySet()));
    }
    return found;
  }

  private static Object typed(String step, StepParameter parameter, Object value) {
    switch (parameter.type()) {
      case STRING -> {
        if (value instanceof CharSequence text) {
          return text.toString();
        }
      }
      case BOOLEAN -> {
        if (value instanceof Boolean flag) {
          return flag;
        }
      }
      case MAP -> {
        if (value instanceof Map<?, ?> map) {
          Map<String, String> strings = new LinkedHashMap<>();
          for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object v = entry.getValue();
            if (!(entry.getKey() instanceof CharSequence) || !(v instanceof CharSequence || v instanceof Number
                || v instanceof Boolean)) {
              throw StepException.ofArgument(step, parameter.name(), "must be " + parameter.type().expected()
                  + " with string keys and string, number or boolean values");
            }
            strings.put(entry.getKey().toString(), v.toString());
          }
          return strings;
        }
      }
      default -> throw new IllegalStateException(parameter.type().name());
    }
    throw StepException.ofArgument(step, parameter.name(), "must be " + parameter.type().expected() + ", not "
        + kind(value));
  }

  /** How an error names a value's type, without repeating the value. */
  private static String kind(Object value) {
    if (value instanceof CharSequence) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Map) {
      return "a map";
    }
    if (value instanceof List || value.getClass().isArray()) {
      return "a list";
    }
    return "a " + value.getClass().getSimpleName();
  }

  static List<String> names() {
    return new ArrayList<>(STEPS.keySet());
  }
}
