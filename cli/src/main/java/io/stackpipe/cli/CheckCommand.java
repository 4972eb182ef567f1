package io.stackpipe.cli;

import io.stackpipe.installation.InstallationCheck;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stackpipe check [--json]}: the engine's {@link InstallationCheck}, one line per part; exit 1 if one failed. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Check the installation's settings without changing anything: the cluster (reachable, who you"
        + " are, whether you may create and delete namespaces), the chart registry (reachable, credential accepted)"
        + " and the keys (age identities parse, the KMS endpoint answers). One line per part; exit code 1 when a"
        + " part failed.")
final class CheckCommand implements Callable<Integer> {

  @Mixin
  InstallationOptions installation;

  @Option(names = "--json", description = "Print the outcome as JSON.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    InstallationCheck.Report report = installation.installation().check(installation.environment()).call();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Output.toJson(report.toMap()));
    } else {
      report.lines().forEach(out::println);
    }
    out.flush();
    return report.ok() ? 0 : 1;
  }
}
