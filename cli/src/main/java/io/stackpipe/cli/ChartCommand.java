package io.stackpipe.cli;

import io.stackpipe.chart.ChartBuild;
import io.stackpipe.installation.Installation;
import io.stackpipe.installation.SessionEnvironment;
import io.stackpipe.chart.ChartBuildResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "chart", description = "Build and publish service charts.",
    subcommands = ChartCommand.Build.class, mixinStandardHelpOptions = true)
final class ChartCommand {

  // No standard mixin here: --version is the chart version, not the tool's.
  @Command(name = "build", resourceBundle = "io.stackpipe.cli.StepHelp", defaultValueProvider = StepHelp.Defaults.class,
      description = "Validate a chart (lint, render every profile), package it with profiles/, pin its image, push it.")
  static final class Build implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", description = "The chart directory (Chart.yaml, values.yaml, templates/, profiles/).")
    Path dir;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--version", paramLabel = "V", descriptionKey = "buildChart.version")
    String version;

    @Option(names = "--app-version", paramLabel = "A", descriptionKey = "buildChart.appVersion")
    String appVersion;

    @Option(names = "--image", paramLabel = "REF", descriptionKey = "buildChart.image")
    String image;

    @Option(names = "--push", paramLabel = "oci://HOST/PATH", description = "Registry to push the chart to.")
    String push;

    @Option(names = "--plain-http", description = "Use plain HTTP for a registry that is not on loopback.")
    boolean plainHttp;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the .tgz (default: current directory).")
    Path out;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--registry-config", paramLabel = "FILE", description = {
        "Registry credentials: a Docker config file (auths, credHelpers, credsStore).",
        InstallationOptions.REGISTRY_ORDER})
    Path registryConfig;

    @Option(names = "--create-repositories", description = InstallationOptions.CREATE_REPOSITORIES)
    boolean createRepositories;

    @Option(names = "--verbose", description = "Print details of a failure.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      var err = spec.commandLine().getErr();
      ChartBuild build = ChartBuild.of(dir)
          .withVersion(version).withAppVersion(appVersion).withImage(image).pushTo(push)
          .withOutputDirectory(out != null ? out : Stackpipe.workingDirectory())
          .withProgress(line -> {
            err.println("  " + line);
            err.flush();
          });
      if (plainHttp) {
        build.plainHttp();
      }
      build.withRegistryAuth(Installation.builder()
          .withRegistryConfig(registryConfig == null ? null : registryConfig.toString())
          .withCreateRepositories(createRepositories).build()
          .registryAuth(SessionEnvironment.of(Stackpipe.environment(), Stackpipe.home())));
      ChartBuildResult result = build.call();
      Output.print(spec.commandLine().getOut(), result, json);
      return 0;
    }
  }
}
