package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.StackpipeException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;

/** Every command fails the same way: one line on stderr, the engine's field shown as this command's option. */
class ErrorPathTest {

  private static CommandSpec command(String... path) {
    var cli = Stackpipe.commandLine();
    for (String name : path) {
      cli = cli.getSubcommands().get(name);
    }
    return cli.getCommandSpec();
  }

  @Nested
  class FieldRendering {

    @Test
    void anEngineFieldBecomesTheOptionOfTheRunningCommand() {
      assertThat(Stackpipe.input(command("chart", "build"), "version")).isEqualTo("--version");
      assertThat(Stackpipe.input(command("chart", "build"), "appVersion")).isEqualTo("--app-version");
      assertThat(Stackpipe.input(command("secrets", "decrypt"), "ignoreMac")).isEqualTo("--ignore-mac");
      assertThat(Stackpipe.input(command("demo"), "kubeconfig")).isEqualTo("--kubeconfig");
    }

    @Test
    void anEngineFieldBecomesThePositionalParameterOfThatLabel() {
      assertThat(Stackpipe.input(command("stack", "show"), "stack")).isEqualTo("STACK");
    }

    @Test
    void aFieldTheCommandHasNoOptionForKeepsItsName() {
      assertThat(Stackpipe.input(command("chart", "build"), "kubeconfig")).isEqualTo("kubeconfig");
      assertThat(Stackpipe.message(StackpipeException.ofField("releaseName", "is required"), command("demo")))
          .isEqualTo("releaseName: is required");
    }

    @Test
    void aRefusalWithoutFieldIsPrintedAsItIs() {
      assertThat(Stackpipe.message(new StackpipeException("Chart.yaml: field name is missing"), command("chart", "build")))
          .isEqualTo("Chart.yaml: field name is missing");
    }

    @Test
    void anyOtherFailureIsItsFirstLine() {
      assertThat(Stackpipe.message(new IllegalStateException("first\n\tsecond"), command("demo"))).isEqualTo("first");
      assertThat(Stackpipe.message(new UncheckedIOException(null, new java.io.IOException()), command("demo")))
          .isEqualTo("UncheckedIOException");
    }
  }

  @Test
  void aRequestedVersionThatIsNotSemVerNamesTheOption(@TempDir Path work) throws Exception {
    Path chart = Files.createDirectories(work.resolve("billing"));
    Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: billing\nversion: 1.0.0\n");

    CliRun run = CliRun.run("chart", "build", chart.toString(), "--version", "1.x", "--out", work.resolve("out").toString());

    assertThat(run.exitCode()).isEqualTo(Stackpipe.REFUSED);
    assertThat(run.err()).isEqualTo("stackpipe: --version: '1.x' is not SemVer 2 (e.g. 1.4.0 or 1.4.0-rc.1)\n");
    assertThat(work.resolve("out")).doesNotExist();
  }

  @Test
  void secretsCommandsTakeTheSameErrorPath(@TempDir Path work) {
    Path missing = work.resolve("secrets.yaml");

    CliRun run = CliRun.run("secrets", "decrypt", missing.toString());

    assertThat(run.exitCode()).isEqualTo(Stackpipe.REFUSED);
    assertThat(run.err()).startsWith("stackpipe: ").contains(missing.toString()).hasLineCount(1);
    assertThat(run.out()).isEmpty();
  }
}
