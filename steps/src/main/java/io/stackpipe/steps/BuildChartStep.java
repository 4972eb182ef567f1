package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.BOOLEAN;
import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.optional;

import io.stackpipe.SemVer;
import io.stackpipe.chart.ChartBuild;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** buildChart: {@link ChartBuild} on a chart folder of the workspace, pushed to the installation's registry. */
final class BuildChartStep implements StepCall {

  static final String NAME = "buildChart";

  private static final StepDescription DESCRIPTION = new StepDescription(NAME,
      "Validates a service's chart and every profile (helm lint, render each profile), packages it with its"
          + " profiles/ folder, pins the image by digest, and pushes it to the chart registry as an immutable version.",
      false,
      List.of(
          optional("chart", STRING, ".", "The chart folder, relative to the workspace."),
          optional("version", STRING, null, "The version to stamp into Chart.yaml (SemVer 2, e.g. 1.4.0 or"
              + " 1.4.0-rc.1). Default: the chart's own version."),
          optional("image", STRING, null, "The image the chart runs (registry/repository:tag). Its digest is"
              + " read from the registry and pinned in the chart's values. Default: no image pinned."),
          optional("push", BOOLEAN, false, "Push the packaged chart to the configured chart registry. A version"
              + " is pushed once: the same content again is a no-op, other content is refused."),
          optional("appVersion", STRING, null, "The appVersion to stamp into Chart.yaml. Default: the chart's own."),
          optional("plainHttp", BOOLEAN, false, "Speak plain HTTP to registries that are not on loopback"
              + " (also on when the Stackpipe settings say so)."),
          Steps.registryCredentialsId()),
      List.of(
          new ResultField("name", "the chart's name"),
          new ResultField("version", "the version built"),
          new ResultField("appVersion", "the appVersion stamped, or null"),
          new ResultField("chartDigest", "sha256 of the packaged chart (the registry's chart layer digest)"),
          new ResultField("image", "the pinned image as repository@sha256:…, or null"),
          new ResultField("profiles", "the profiles packaged, by name"),
          new ResultField("artifact", "the path of the .tgz in the workspace"),
          new ResultField("published", "oci://…/name:version where it was pushed, or null"),
          new ResultField("publication", "NOT_PUSHED, PUSHED or ALREADY_PUBLISHED")),
      "def chart = buildChart version: \"1.4.${env.BUILD_NUMBER}\", image: \"registry.example.com/services/orders:${env.BUILD_NUMBER}\", push: true\n"
          + "echo \"${chart.name} ${chart.version} ${chart.chartDigest}\"");

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public void check(StepArguments arguments) {
    Steps.checkArgument(arguments, "version", version -> SemVer.parse("version", version));
  }

  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    Path chart = context.workspace().resolve(arguments.string("chart")).normalize();
    ChartBuild build = context.settings().toInstallation().buildChart(chart, arguments.bool("push"),
            context.sessionEnvironment())
        .withVersion(arguments.string("version"))
        .withAppVersion(arguments.string("appVersion"))
        .withImage(arguments.string("image"))
        .withOutputDirectory(context.workspace())
        .withProgress(context.progress());
    if (arguments.bool("plainHttp")) {
      build.plainHttp();
    }
    return build.call().toMap();
  }
}
