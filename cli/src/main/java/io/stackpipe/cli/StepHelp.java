package io.stackpipe.cli;

import io.stackpipe.steps.StepDescription;
import io.stackpipe.steps.StepParameter;
import io.stackpipe.steps.Steps;
import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The help of the CLI options that mean the same as a step parameter, taken from the step catalogue
 * ({@link Steps#descriptions()}), so the CLI, {@code docs/STEPS.md} and the Jenkins forms say one thing. An option
 * names its parameter with {@code descriptionKey = "<step>.<parameter>"} (for instance
 * {@code "deployProfile.fromL3"}) in a command whose {@code resourceBundle} is this class; with
 * {@code defaultValueProvider = StepHelp.Defaults.class} it also takes the parameter's default. The key
 * {@code "<step>.<parameter>.help"} gives the help alone, for an option whose default differs for a reason the docs
 * give. {@code StepOptionsAgreeTest} lists the pairs.
 */
public final class StepHelp extends ListResourceBundle {

  static final String HELP_ONLY = ".help";

  @Override
  protected Object[][] getContents() {
    List<Object[]> contents = new ArrayList<>();
    for (StepDescription step : Steps.descriptions()) {
      for (StepParameter parameter : step.parameters()) {
        String help = help(step, parameter);
        String key = step.name() + "." + parameter.name();
        contents.add(new Object[] {key, help + defaultNote(parameter)});
        contents.add(new Object[] {key + HELP_ONLY, help});
      }
    }
    return contents.toArray(Object[][]::new);
  }

  /**
   * The parameter's help as the CLI says it: a Jenkinsfile's {@code fromL3:} becomes {@code --from-l3}, and a
   * required parameter says so (the CLI checks it when the command runs, not when picocli parses).
   */
  static String help(StepDescription step, StepParameter parameter) {
    String help = parameter.help();
    for (StepParameter other : step.parameters()) {
      help = help.replaceAll("\\b" + other.name() + ":", option(other.name()));
    }
    return parameter.required() ? help + " Required." : help;
  }

  /** The option a parameter becomes: {@code fromL3} is {@code --from-l3}. */
  static String option(String parameter) {
    return "--" + parameter.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String defaultNote(StepParameter parameter) {
    return parameter.type() == StepParameter.Type.STRING && parameter.defaultValue() != null
        ? " (default: ${DEFAULT-VALUE})" : "";
  }

  /** The parameter an option's {@code descriptionKey} names, if it names one with its default. */
  static Optional<StepParameter> parameter(String descriptionKey) {
    int dot = descriptionKey.indexOf('.');
    if (dot < 0 || descriptionKey.endsWith(HELP_ONLY)) {
      return Optional.empty();
    }
    String step = descriptionKey.substring(0, dot);
    return Steps.descriptions().stream().filter(d -> d.name().equals(step)).findFirst()
        .flatMap(d -> d.parameter(descriptionKey.substring(dot + 1)));
  }

  /** The defaults of the options whose {@code descriptionKey} names a step parameter. */
  public static final class Defaults implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec argSpec) {
      if (!(argSpec instanceof OptionSpec option)) {
        return null;
      }
      return parameter(option.descriptionKey()).filter(p -> p.type() != StepParameter.Type.MAP)
          .map(StepParameter::defaultValue).map(String::valueOf).orElse(null);
    }
  }
}
