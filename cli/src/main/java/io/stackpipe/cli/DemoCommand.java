package io.stackpipe.cli;

import io.stackpipe.chart.ChartBuild;
import io.stackpipe.chart.ChartBuildResult;
import io.stackpipe.testsupport.registry.LocalRegistry;
import io.stackpipe.testsupport.registry.TestImages;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on embedded defaults: no outside services. Starts a local OCI registry, pushes each example
 * service's image, then builds and publishes every example chart with its image pinned.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the pipeline on the example services against a registry it starts itself.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--examples", paramLabel = "DIR", description = "Folder of service charts (default: examples/services).")
  Path examples = Path.of("examples", "services");

  @Option(names = "--work", paramLabel = "DIR",
      description = "Where the registry keeps its data between runs (default: ~/.cache/stackpipe/demo).")
  Path work = Path.of(System.getProperty("user.home"), ".cache", "stackpipe", "demo");

  @Option(names = "--version", paramLabel = "V", description = "Version to publish every chart as (default: 1.0.0).")
  String version = "1.0.0";

  @Option(names = "--keep-running", description = "Keep the registry up until interrupted, to look at it.")
  boolean keepRunning;

  @Option(names = "--json", description = "Print the results as JSON.")
  boolean json;

  @Option(names = "--verbose", description = "Print details of a failure.")
  boolean verbose;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> services = services();
    try (LocalRegistry registry = LocalRegistry.startWithStorage(work.resolve("registry"))) {
      err.println("registry: " + registry.url() + " (data in " + work.resolve("registry") + ")");
      List<ChartBuildResult> results = new ArrayList<>();
      for (Path service : services) {
        String name = service.getFileName().toString();
        String digest = TestImages.push(registry.host(), "services/" + name, version,
            "stackpipe demo image of " + name + " " + version + "\n");
        err.println(name + ": image " + registry.host() + "/services/" + name + ":" + version + " (" + digest + ")");
        results.add(ChartBuild.of(service)
            .withVersion(version)
            .withAppVersion(version)
            .withImage(registry.host() + "/services/" + name + ":" + version)
            .pushTo(registry.ociUrl("charts"))
            .withOutputDirectory(work.resolve("charts"))
            .withProgress(line -> err.println("  " + line))
            .call());
        err.flush();
      }
      if (json) {
        out.println(Output.toJson(results.stream().map(Output::fields).toList()));
      } else {
        results.forEach(r -> out.println(Output.summary(r)));
      }
      out.flush();
      if (keepRunning) {
        err.println("registry stays up at " + registry.url() + "; press Ctrl-C to stop");
        err.flush();
        Thread.currentThread().join();
      }
    }
    return 0;
  }

  private List<Path> services() throws IOException {
    if (!Files.isDirectory(examples)) {
      throw new io.stackpipe.StackpipeException(examples + ": no such folder of example services (run from the repository root or pass --examples)");
    }
    try (Stream<Path> dirs = Files.list(examples)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("Chart.yaml"))).sorted().toList();
    }
  }
}
