package io.stackpipe.chart;

import io.stackpipe.StackpipeException;
import io.stackpipe.yaml.SafeYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The fields of Chart.yaml that Stackpipe checks and stamps. */
public record ChartMetadata(String name, String version, String appVersion) {

  public static final String FILE = "Chart.yaml";

  /** Reads and validates {@code <chartDir>/Chart.yaml}: apiVersion v2, DNS-1123 name, SemVer 2 version. */
  public static ChartMetadata read(Path chartDir) {
    Path file = chartDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new StackpipeException(FILE + ": missing in " + chartDir + " (not a Helm chart directory)");
    }
    if (!(SafeYaml.load(file, FILE) instanceof Map<?, ?> chart)) {
      throw new StackpipeException(FILE + ": must be a YAML mapping");
    }
    Object apiVersion = chart.get("apiVersion");
    if (!"v2".equals(apiVersion)) {
      throw new StackpipeException(FILE + ": field apiVersion must be v2 (Helm 3 chart), found " + apiVersion);
    }
    String name = string(chart, "name");
    if (!Names.isDns1123Label(name)) {
      throw new StackpipeException(FILE + ": field name '" + name
          + "' is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)");
    }
    String version = string(chart, "version");
    String problem = semVerProblem(version);
    if (problem != null) {
      throw new StackpipeException(FILE + ": field version " + problem);
    }
    Object appVersion = chart.get("appVersion");
    return new ChartMetadata(name, version, appVersion == null ? null : appVersion.toString());
  }

  /** What is wrong with {@code version} as a chart version, or {@code null} when it is SemVer 2. */
  static String semVerProblem(String version) {
    return Names.isSemVer(version) ? null : "'" + version + "' is not SemVer 2 (e.g. 1.4.0 or 1.4.0-rc.1)";
  }

  private static String string(Map<?, ?> chart, String field) {
    Object value = chart.get(field);
    if (value == null) {
      throw new StackpipeException(FILE + ": field " + field + " is missing");
    }
    return value.toString();
  }
}
