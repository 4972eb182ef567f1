package io.stackpipe.chart;

import io.stackpipe.StackpipeException;
import io.stackpipe.profile.Profile;
import io.stackpipe.yaml.SafeYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a build changes in the chart it publishes, as edits of the packaged archive's entries: the version
 * stamped, the image pinned, and profile files put back that .helmignore would drop. The source chart is
 * never modified and never copied.
 */
final class PackageEdits {

  private static final Pattern VERSION_LINE = Pattern.compile("(?m)^version:.*$");
  private static final Pattern APP_VERSION_LINE = Pattern.compile("(?m)^appVersion:.*$");

  private PackageEdits() {
  }

  /** Helm writes Chart.yaml with one top-level {@code version:} line; appVersion is added when absent. */
  static byte[] stamp(byte[] chartYaml, String version, String appVersion) {
    String text = new String(chartYaml, StandardCharsets.UTF_8);
    text = VERSION_LINE.matcher(text).replaceFirst("version: " + quote(version));
    if (appVersion != null) {
      text = APP_VERSION_LINE.matcher(text).find()
          ? APP_VERSION_LINE.matcher(text).replaceFirst("appVersion: " + quote(appVersion))
          : text + (text.endsWith("\n") ? "" : "\n") + "appVersion: " + quote(appVersion) + "\n";
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** values.yaml (the chart's defaults, so every profile gets it) with the pin merged into its image section. */
  @SuppressWarnings("unchecked")
  static byte[] pinImage(byte[] valuesYaml, Path pin) {
    Map<String, Object> values = new LinkedHashMap<>();
    if (valuesYaml != null
        && SafeYaml.load(new String(valuesYaml, StandardCharsets.UTF_8), "values.yaml") instanceof Map<?, ?> loaded) {
      values = (Map<String, Object>) loaded;
    }
    Object section = values.computeIfAbsent("image", k -> new LinkedHashMap<String, Object>());
    if (!(section instanceof Map)) {
      throw new StackpipeException("values.yaml: field image must be a mapping to pin the image, found " + section);
    }
    Map<String, Object> image = (Map<String, Object>) ((Map<String, Object>) SafeYaml.load(pin, "image pin")).get("image");
    ((Map<String, Object>) section).putAll(image);
    return ("# image pinned by stackpipe chart build\n" + SafeYaml.dump(values)).getBytes(StandardCharsets.UTF_8);
  }

  /** The profile files (archive path → bytes) that the archive lacks: profiles are part of the artifact. */
  static Map<String, byte[]> missingProfileFiles(List<String> listing, String chartName, List<Profile> profiles) {
    Map<String, byte[]> missing = new LinkedHashMap<>();
    for (Profile profile : profiles) {
      profile.files().forEach((file, bytes) -> {
        String entry = chartName + "/" + profile.display(file);
        if (!listing.contains(entry)) {
          missing.put(entry, bytes);
        }
      });
    }
    return missing;
  }

  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
