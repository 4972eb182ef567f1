package io.stackpipe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** A `stackpipe` with the secrets subcommand registered as the lead will, for running docs/secrets.md in a shell. */
@Command(name = "stackpipe", subcommands = SecretsCommand.class)
public class GuideStackpipe {
  public static void main(String[] args) {
    System.exit(new CommandLine(new GuideStackpipe()).execute(args));
  }
}
