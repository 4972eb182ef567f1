package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stackpipe} command: every subcommand only translates arguments to engine calls and results to text. */
@Command(name = "stackpipe", mixinStandardHelpOptions = true, versionProvider = Stackpipe.Version.class,
    description = "Ship every microservice to Kubernetes the same way.",
    subcommands = {ChartCommand.class, SecretsCommand.class, StackCommand.class, DemoCommand.class, ClusterCommand.class,
        CommandLine.HelpCommand.class})
public final class Stackpipe {

  /** Exit code of a refused input or publication (usage errors are 2, picocli's default). */
  public static final int REFUSED = 1;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests to run the CLI in-process. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Stackpipe());
    cli.setExecutionExceptionHandler(Stackpipe::refused);
    return cli;
  }

  // One line per refusal: details (the stack trace) only with --verbose.
  private static int refused(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    String message = e instanceof StackpipeException refusal ? refusal.field().map(f -> input(f, parsed) + ": ")
        .orElse("") + e.getMessage()
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""));
    err.println("stackpipe: " + message);
    if (verbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return REFUSED;
  }

  /**
   * How the CLI names the engine input {@code field}: the option {@code --kebab-case} of the command that ran,
   * else its positional parameter of that label (e.g. {@code STACK}), else the engine's name.
   */
  static String input(String field, CommandLine.ParseResult parsed) {
    CommandLine.ParseResult leaf = parsed;
    while (leaf != null && leaf.subcommand() != null) {
      leaf = leaf.subcommand();
    }
    if (leaf == null) {
      return field;
    }
    String option = "--" + field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    if (leaf.commandSpec().findOption(option) != null) {
      return option;
    }
    return leaf.commandSpec().positionalParameters().stream().map(CommandLine.Model.PositionalParamSpec::paramLabel)
        .filter(label -> label.equalsIgnoreCase(field)).findFirst().orElse(field);
  }

  private static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Stackpipe.class.getPackage().getImplementationVersion();
      return new String[] {"stackpipe " + (version == null ? "(development build)" : version)};
    }
  }
}
