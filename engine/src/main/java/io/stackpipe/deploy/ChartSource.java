package io.stackpipe.deploy;

import io.stackpipe.SemVer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.Names;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a deploy takes its chart artifact from: a registry, {@code oci://host/path/name:version} (or pinned
 * {@code @sha256:…}), or a packaged {@code .tgz}. A registry chart is pulled over the OCI distribution API (the
 * manifest, then its chart layer verified against its sha256), since helm-java has no pull.
 *
 * @param reference how the user named it; what {@code promote} pulls again
 */
public record ChartSource(String reference, OciChartTarget registry, String name, String version, Path file) {
  static final String CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A chart as people name it: {@code oci://host/path/name:version}, a packaged {@code .tgz} (relative to
   * {@code base}), or a chart name with its {@code version} in {@code registry} ({@code oci://host/path}). The one
   * parser of this argument for every front end.
   */
  public static ChartSource parse(String chart, String version, String registry, Path base) {
    check(chart, version, false, registry);
    if (!isName(chart)) {
      return chart.startsWith("oci://") ? oci(chart) : file(base.resolve(chart).normalize());
    }
    return inRegistry(registry, chart, version);
  }

  /**
   * Refuses a combination of the chart arguments that cannot name one chart, before anything is contacted:
   * {@code fromL3} (the version the current L3 holds) takes a chart name and no version; an oci:// reference or a
   * .tgz names its version itself; a chart name needs a registry and a version (or fromL3).
   */
  public static void check(String chart, String version, boolean fromL3, String registry) {
    if (chart == null || chart.isBlank()) {
      throw StackpipeException.ofField("chart", "is required");
    }
    if (fromL3 && version != null) {
      throw StackpipeException.ofField("version", "not with fromL3, which deploys the version L3 holds");
    }
    if (!isName(chart)) {
      if (version != null || fromL3) {
        throw StackpipeException.ofField(fromL3 ? "fromL3" : "version", "only with a chart name: an oci://"
            + " reference or a .tgz names its version itself");
      }
      return;
    }
    if (!fromL3 && (version == null || version.isEmpty())) {
      throw StackpipeException.ofField("version", "is required with a chart name (or fromL3)");
    }
    if (version != null) { // the argument before the setting: a bad version is named first
      SemVer.parse("version", version);
    }
    if (registry == null || registry.isBlank()) {
      throw StackpipeException.ofField("charts", "no chart registry configured (the installation's registry,"
          + " oci://host/path), needed with a chart name");
    }
  }

  /** Whether {@code chart} is a chart name, which takes its version and registry from elsewhere. */
  public static boolean isName(String chart) {
    return !chart.startsWith("oci://") && !chart.endsWith(".tgz");
  }

  /** A chart artifact on disk. */
  public static ChartSource file(Path archive) {
    return new ChartSource(archive.toString(), null, null, null, archive);
  }

  /** {@code oci://host[:port]/path/name:version} or {@code …/name@sha256:…}. */
  public static ChartSource oci(String reference) {
    String rest = reference.startsWith("oci://") ? reference.substring("oci://".length()) : "";
    int slash = rest.lastIndexOf('/');
    int at = rest.indexOf('@', Math.max(slash, 0));
    int colon = rest.indexOf(':', Math.max(slash, 0));
    int split = at > 0 ? at : colon;
    if (slash <= 0 || split <= slash) {
      throw StackpipeException.ofField("chart", "'" + reference
          + "' is not oci://host/path/name:version, a chart name with its version and registry, or a .tgz");
    }
    return inRegistry("oci://" + rest.substring(0, slash), rest.substring(slash + 1, split), rest.substring(split + 1));
  }

  /** Chart {@code name} at {@code version} (or a {@code sha256:} digest) in the registry path {@code oci://host/path}. */
  public static ChartSource inRegistry(String registry, String name, String version) {
    OciChartTarget target = OciChartTarget.parse(registry);
    if (!Names.isDns1123Label(name)) {
      throw StackpipeException.ofField("chart", "'" + name + "' is not a chart name");
    }
    if (version == null || version.isEmpty()) {
      throw StackpipeException.ofField("version", "is required with a chart name");
    }
    boolean digest = version.startsWith("sha256:");
    if (!digest) {
      SemVer.parse("version", version);
    }
    return new ChartSource(target + "/" + name + (digest ? "@" : ":") + version, target, name, version, null);
  }

  /** The artifact on disk: the file itself, or pulled into {@code temp}; the digest it came as (null for a file). */
  record Fetched(Path archive, String digest) {
  }

  Fetched fetch(PrivateTempDir temp, RegistryAuth auth) {
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw StackpipeException.ofField("chart", file + ": no such chart archive");
      }
      return new Fetched(file, null);
    }
    OciRegistry oci = registry.registry(false, auth);
    String repository = registry.repository(name);
    String tag = version.startsWith("sha256:") ? version : OciRegistry.tag(version);
    OciRegistry.Manifest manifest = oci.pullManifest(repository, tag).orElseThrow(() -> {
      List<String> tags = oci.tags(repository);
      return StackpipeException.ofField("version", "no chart " + name + " " + version + " in " + registry
          + (tags.isEmpty() ? " (no versions of " + name + " there)" : " (it has " + String.join(", ", tags.stream().sorted().toList()) + ")"));
    });
    String layer = chartLayer(manifest);
    try {
      Path archive = temp.newFile(name + "-" + (version.startsWith("sha256:") ? "pinned" : version) + ".tgz");
      Files.delete(archive);
      oci.pullBlob(repository, layer, archive);
      return new Fetched(archive, manifest.digest());
    } catch (IOException e) {
      throw new StackpipeException("cannot write the pulled chart " + reference + " (" + e.getMessage() + ")");
    }
  }

  private String chartLayer(OciRegistry.Manifest manifest) {
    try {
      for (JsonNode layer : JSON.readTree(manifest.bytes()).path("layers")) {
        if (CHART_LAYER.equals(layer.path("mediaType").asText())) {
          return layer.path("digest").asText();
        }
      }
    } catch (IOException e) {
      // falls through: not a chart manifest
    }
    throw new StackpipeException(reference + " is not a Helm chart (no chart layer in its manifest)");
  }

  @Override
  public String toString() {
    return reference;
  }
}
