package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every command that works on an installation takes its options under the same names, defaults and help. */
class InstallationOptionsTest {

  private static final List<String> NAMES = List.of("--kubeconfig", "--context", "--charts", "--umbrella", "--l3-namespace",
      "--installation", "--namespace-prefix", "--policy");

  @Test
  void everyInstallationCommandSharesTheOneMixin() {
    Map<String, CommandLine> commands = new TreeMap<>();
    collect(Stackpipe.commandLine(), commands);
    List<String> installationCommands = List.of("stackpipe stack create", "stackpipe stack list",
        "stackpipe stack show", "stackpipe stack touch", "stackpipe stack extend", "stackpipe stack destroy",
        "stackpipe stack reap", "stackpipe stack sync", "stackpipe deploy", "stackpipe deploy promote",
        "stackpipe deploy abort", "stackpipe l3 init", "stackpipe l3 candidate", "stackpipe l3 promote",
        "stackpipe l3 gate", "stackpipe status", "stackpipe status serve", "stackpipe check");
    OptionSpec reference = Stackpipe.commandLine().getSubcommands().get("status").getCommandSpec()
        .findOption("--l3-namespace");
    for (String name : installationCommands) {
      assertThat(commands).as(name).containsKey(name);
      for (String option : NAMES) {
        OptionSpec spec = commands.get(name).getCommandSpec().findOption(option);
        assertThat(spec).as(name + " " + option).isNotNull();
      }
      OptionSpec l3Namespace = commands.get(name).getCommandSpec().findOption("--l3-namespace");
      assertThat(l3Namespace.defaultValue()).isEqualTo(reference.defaultValue());
      assertThat(l3Namespace.description()).isEqualTo(reference.description());
    }
    // The control namespace has one name: "--namespace" would read as the stack's.
    assertThat(commands.values()).allSatisfy(c -> assertThat(c.getCommandSpec().findOption("--namespace")).isNull());
  }

  private static void collect(CommandLine cli, Map<String, CommandLine> into) {
    into.put(cli.getCommandSpec().qualifiedName(), cli);
    cli.getSubcommands().values().forEach(sub -> collect(sub, into));
  }
}
