package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.stack.Durations;
import io.stackpipe.steps.StepDescription;
import io.stackpipe.steps.StepParameter;
import io.stackpipe.steps.StepSettings;
import io.stackpipe.steps.Steps;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The CLI options that mean the same as a step parameter say what the step catalogue says (the one description
 * behind docs/STEPS.md and the Jenkins forms) and default to the same value.
 */
class StepOptionsAgreeTest {

  /** A CLI command's option and the step parameter it mirrors; {@code sameDefault} false when docs say why not. */
  private record Pair(String command, String option, String step, String parameter, boolean sameDefault) {
  }

  private static final List<Pair> PAIRS = List.of(
      new Pair("deploy", "--stack", "deployProfile", "stack", true),
      new Pair("deploy", "--version", "deployProfile", "version", true),
      new Pair("deploy", "--from-l3", "deployProfile", "fromL3", true),
      new Pair("deploy", "--profile", "deployProfile", "profile", true),
      new Pair("deploy", "--wait", "deployProfile", "wait", true),
      // The CLI also makes persistent stacks (no ttl); an ephemeral one defaults to the reap policy's max idle.
      new Pair("stack create", "--ttl", "createEphemeralStack", "ttl", false),
      new Pair("stack create", "--purpose", "createEphemeralStack", "purpose", true),
      new Pair("stack destroy", "--confirm", "destroyStack", "confirm", true),
      new Pair("l3 gate", "--keep-on-failure", "promoteL3", "keepStackOnFailure", true),
      new Pair("chart build", "--version", "buildChart", "version", true),
      new Pair("chart build", "--app-version", "buildChart", "appVersion", true),
      new Pair("chart build", "--image", "buildChart", "image", true));

  @Test
  void eachPairedOptionHasItsParametersHelpAndDefault() {
    for (Pair pair : PAIRS) {
      StepDescription step = Steps.description(pair.step());
      StepParameter parameter = step.parameter(pair.parameter()).orElseThrow();
      OptionSpec option = command(pair.command()).getCommandSpec().findOption(pair.option());
      String name = "stackpipe " + pair.command() + " " + pair.option() + " <-> " + pair.step() + "."
          + pair.parameter();
      assertThat(option).as(name).isNotNull();
      assertThat(String.join(" ", option.description())).as(name).isEqualTo(StepHelp.help(step, parameter));
      if (pair.sameDefault()) {
        // picocli says "null" for no default, as String.valueOf does
        assertThat(option.defaultValueString()).as(name).isEqualTo(String.valueOf(parameter.defaultValue()));
      } else {
        assertThat(option.defaultValueString()).as(name).isNotEqualTo(String.valueOf(parameter.defaultValue()));
      }
    }
  }

  @Test
  void theHelpSpeaksOfOptionsNotOfJenkinsfileArguments() {
    StepDescription deploy = Steps.description("deployProfile");
    assertThat(StepHelp.help(deploy, deploy.parameter("version").orElseThrow()))
        .contains("--from-l3").doesNotContain("fromL3:");
    assertThat(StepHelp.help(deploy, deploy.parameter("profile").orElseThrow())).endsWith(" Required.");
  }

  @Test
  void theStepsDefaultsAreTheOptionsValues() {
    DeployCommand deploy = parsed("deploy", "orders", "--version", "1.0.0", "--profile", "qa", "--stack", "qa");
    assertThat(deploy.waitReady).isTrue();
    assertThat(deploy.fromL3).isFalse();
    assertThat(((DeployCommand) parsed("deploy", "orders", "--no-wait")).waitReady).isFalse();
    assertThat(((DeployCommand) parsed("deploy", "orders", "--wait")).waitReady).isTrue();
    L3GateCommand gate = parsed("l3", "gate", "--service", "orders", "--version", "1.0.0", "--", "true");
    assertThat(gate.keepOnFailure).isFalse();
  }

  /** The deploy's --timeout is the plugin's global "timeout" setting, with the same default. */
  @Test
  void deployTimeoutDefaultsLikeTheStepSettings() {
    OptionSpec timeout = command("deploy").getCommandSpec().findOption("--timeout");
    assertThat(Durations.parse(timeout.defaultValueString())).isEqualTo(StepSettings.defaults().timeout());
  }

  private static CommandLine command(String path) {
    CommandLine cli = Stackpipe.commandLine();
    for (String name : path.split(" ")) {
      cli = cli.getSubcommands().get(name);
    }
    return cli;
  }

  @SuppressWarnings("unchecked")
  private static <T> T parsed(String... args) {
    CommandLine.ParseResult result = Stackpipe.commandLine().parseArgs(args);
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    return (T) result.commandSpec().userObject();
  }
}
