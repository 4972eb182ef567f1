package io.stackpipe.chart;

import io.stackpipe.SemVer;
import io.stackpipe.Names;
import io.stackpipe.StackpipeException;
import io.stackpipe.yaml.SafeYaml;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fields of Chart.yaml that Stackpipe checks and stamps.
 *
 * @param library {@code type: library}: a chart of helpers for other charts, never installed on its own
 */
public record ChartMetadata(String name, String version, String appVersion, boolean library) {

  public static final String FILE = "Chart.yaml";

  /** Reads and validates {@code <chartDir>/Chart.yaml}: apiVersion v2, DNS-1123 name, SemVer 2 version. */
  public static ChartMetadata read(Path chartDir) {
    Path file = chartDir.resolve(FILE);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new StackpipeException(FILE + ": missing in " + chartDir + " (not a Helm chart directory)");
    }
    if (!Files.isRegularFile(file)) {
      throw new StackpipeException(FILE + ": must be a file");
    }
    if (!(SafeYaml.load(file, FILE) instanceof Map<?, ?> chart)) {
      throw new StackpipeException(FILE + ": must be a YAML mapping (apiVersion, name, version)");
    }
    Object apiVersion = chart.get("apiVersion");
    if (!"v2".equals(apiVersion)) {
      throw new StackpipeException(FILE + ": field apiVersion must be v2 (Helm 3 chart), found " + apiVersion);
    }
    String name = scalar(chart, "name", true);
    if (!Names.isDns1123Label(name)) {
      throw new StackpipeException(FILE + ": field name '" + name
          + "' is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)");
    }
    String version = scalar(chart, "version", true);
    if (!SemVer.isValid(version)) {
      throw new StackpipeException(FILE + ": field version " + SemVer.problem(version));
    }
    String type = scalar(chart, "type", false);
    if (type != null && !type.equals("application") && !type.equals("library")) {
      throw new StackpipeException(FILE + ": field type must be application or library, found " + type);
    }
    return new ChartMetadata(name, version, scalar(chart, "appVersion", false), "library".equals(type));
  }

  private static String scalar(Map<?, ?> chart, String field, boolean required) {
    Object value = chart.get(field);
    if (value == null) {
      if (required) {
        throw new StackpipeException(FILE + ": field " + field + " is missing");
      }
      return null;
    }
    if (value instanceof Map || value instanceof Iterable) {
      throw new StackpipeException(FILE + ": field " + field + " must be a single value, found a "
          + (value instanceof Map ? "mapping" : "list"));
    }
    return value.toString();
  }
}
