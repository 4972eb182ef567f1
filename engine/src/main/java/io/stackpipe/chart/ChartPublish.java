package io.stackpipe.chart;

import io.stackpipe.StackpipeException;
import io.stackpipe.registry.auth.RegistryAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Builds and publishes every service chart of a folder (one sub-folder with a Chart.yaml per service), each
 * with its own image pinned, all under one version: {@link ChartBuild} per service, in name order.
 *
 * <pre>{@code
 * ChartPublishResult result = ChartPublish.of(Path.of("services"))
 *     .withVersion("1.4.0")
 *     .withImages(service -> "registry.example.com/services/" + service + ":1.4.0")
 *     .pushTo("oci://registry.example.com/charts")
 *     .withOutputDirectory(workspace)
 *     .call();
 * }</pre>
 */
public final class ChartPublish {

  private final Path services;
  private String version;
  private String appVersion;
  private Function<String, String> images = service -> null;
  private String target;
  private boolean plainHttp;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private Path outputDir;
  private Consumer<String> progress = line -> { };

  private ChartPublish(Path services) {
    this.services = services;
  }

  public static ChartPublish of(Path services) {
    return new ChartPublish(services);
  }

  public ChartPublish withVersion(String version) {
    this.version = version;
    return this;
  }

  public ChartPublish withAppVersion(String appVersion) {
    this.appVersion = appVersion;
    return this;
  }

  /**
   * The image each service runs, by service (folder) name, or {@code null} to pin none. Asked once per
   * service, in order, just before its chart is built: a front end that builds images may push it there.
   */
  public ChartPublish withImages(Function<String, String> images) {
    this.images = images;
    return this;
  }

  public ChartPublish pushTo(String target) {
    this.target = target;
    return this;
  }

  /** Where registry credentials come from (default: anonymous). */
  public ChartPublish withRegistryAuth(RegistryAuth value) {
    this.auth = value;
    return this;
  }

  public ChartPublish plainHttp() {
    this.plainHttp = true;
    return this;
  }

  /** Where the .tgz files go (required). */
  public ChartPublish withOutputDirectory(Path outputDir) {
    this.outputDir = outputDir;
    return this;
  }

  /** Receives one line per step of long work, prefixed with the service's name. */
  public ChartPublish withProgress(Consumer<String> progress) {
    this.progress = progress;
    return this;
  }

  public ChartPublishResult call() {
    List<Path> charts = serviceCharts();
    List<ChartBuildResult> results = new ArrayList<>();
    for (Path chart : charts) {
      String service = chart.getFileName().toString();
      ChartBuild build = ChartBuild.of(chart).withVersion(version).withAppVersion(appVersion)
          .withImage(images.apply(service)).pushTo(target).withOutputDirectory(outputDir)
          .withProgress(line -> progress.accept(service + ": " + line)).withRegistryAuth(auth);
      if (plainHttp) {
        build.plainHttp();
      }
      results.add(build.call());
    }
    return new ChartPublishResult(results);
  }

  private List<Path> serviceCharts() {
    if (!Files.isDirectory(services)) {
      throw new StackpipeException(services + ": no such folder of service charts");
    }
    try (Stream<Path> dirs = Files.list(services)) {
      List<Path> charts = dirs.filter(d -> Files.isRegularFile(d.resolve(ChartMetadata.FILE))).sorted().toList();
      if (charts.isEmpty()) {
        throw new StackpipeException(services + ": no service charts (no sub-folder holds a " + ChartMetadata.FILE
            + ")");
      }
      return charts;
    } catch (IOException e) {
      throw new StackpipeException(services + ": cannot be listed (" + e.getMessage() + ")");
    }
  }
}
