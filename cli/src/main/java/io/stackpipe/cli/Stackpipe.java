package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The {@code stackpipe} command: every subcommand only translates arguments to engine calls and results to text. */
@Command(name = "stackpipe", mixinStandardHelpOptions = true, versionProvider = Stackpipe.Version.class,
    description = "Ship every microservice to Kubernetes the same way.",
    subcommands = {ChartCommand.class, SecretsCommand.class, StackCommand.class, DeployCommand.class, L3Command.class, StatusCommand.class, CheckCommand.class, DemoCommand.class, ClusterCommand.class,
        CommandLine.HelpCommand.class})
public final class Stackpipe {

  /** Exit code of a refused input or publication (usage errors are 2, picocli's default). */
  public static final int REFUSED = 1;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests to run the CLI in-process. */
  public static CommandLine commandLine() {
    return withErrorHandling(new CommandLine(new Stackpipe()));
  }

  /** The one error path of every command: a failure becomes one line on stderr and exit code 1. */
  static CommandLine withErrorHandling(CommandLine cli) {
    cli.setExecutionExceptionHandler(Stackpipe::refused);
    return cli;
  }

  // The process's environment, home and working directory are read here only: the engine gets them passed.

  static Map<String, String> environment() {
    return System.getenv();
  }

  static Path home() {
    return Path.of(System.getProperty("user.home"));
  }

  /** Who runs the CLI, as deploys record it and stack policies check it. */
  static String user() {
    return System.getProperty("user.name");
  }

  static Path workingDirectory() {
    return Path.of(System.getProperty("user.dir"));
  }

  // One line per refusal: details (the stack trace) only with --verbose.
  private static int refused(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    err.println("stackpipe: " + message(e, cli.getCommandSpec()));
    if (verbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return REFUSED;
  }

  /** A refusal as the CLI prints it: the field it concerns as this command's input, then the engine's message. */
  static String message(Exception e, CommandSpec command) {
    if (e instanceof StackpipeException refusal) {
      return refusal.field().map(field -> input(command, field) + ": ").orElse("") + refusal.getMessage();
    }
    return Messages.firstLine(e);
  }

  /**
   * How {@code command} names the engine input {@code field}: its option ({@code ignoreMac} → {@code --ignore-mac}),
   * else its positional parameter of that label (e.g. {@code STACK}), else the engine's name.
   */
  static String input(CommandSpec command, String field) {
    String kebab = field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    for (OptionSpec option : command.options()) {
      for (String name : option.names()) {
        if (name.replaceFirst("^-+", "").equals(kebab)) {
          return option.longestName();
        }
      }
    }
    return command.positionalParameters().stream().map(PositionalParamSpec::paramLabel)
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
