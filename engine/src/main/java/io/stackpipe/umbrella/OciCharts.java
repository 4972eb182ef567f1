package io.stackpipe.umbrella;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.chart.HelmOci;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.registry.OciDigest;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Helm charts in an OCI registry, over {@link OciRegistry} (helm-java has no pull): pulled by version, tag or
 * digest with the layer verified, and pushed as an immutable version with a manifest of fixed bytes, so the same
 * archive always gets the same manifest digest.
 */
final class OciCharts {

  static final String LAYER = HelmOci.LAYER;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A chart as pulled: its Chart.yaml and files, its layer digest and the manifest digest it was pulled by. */
  record Pulled(Path archive, String layerDigest, String manifestDigest, Map<?, ?> chartYaml) {
    String name() {
      return String.valueOf(chartYaml.get("name"));
    }

    String version() {
      return String.valueOf(chartYaml.get("version"));
    }
  }

  private final OciChartTarget target;
  private final OciRegistry registry;

  OciCharts(OciChartTarget target, boolean plainHttp, RegistryAuth auth) {
    this.target = target;
    this.registry = target.registry(plainHttp, auth);
  }

  OciChartTarget target() {
    return target;
  }

  /**
   * Pulls chart {@code name} at {@code reference} (a version, a tag or a digest) into {@code directory}. An unknown
   * reference is one line naming the versions there are.
   */
  Pulled pull(String name, String reference, Path directory) {
    String repository = target.repository(name);
    String tag = OciDigest.isDigest(reference) ? reference : OciRegistry.tag(reference);
    OciRegistry.Manifest manifest = registry.pullManifest(repository, tag).orElseThrow(() -> {
      List<String> tags = registry.tags(repository);
      return new StackpipeException(tags.isEmpty() ? "no chart " + name + " in " + target
          : name + " " + reference + " is not in " + target + " (it has " + String.join(", ", tags) + ")");
    });
    String layer = layerDigest(manifest, name + " " + reference);
    Path archive = directory.resolve(name + "-" + manifest.digest().substring("sha256:".length(), 19) + ".tgz");
    registry.pullBlob(repository, layer, archive);
    Map<?, ?> chartYaml = chartYaml(archive, name + " " + reference);
    if (!name.equals(chartYaml.get("name"))) {
      throw new StackpipeException(target.repository(name) + ":" + reference + " holds chart " + chartYaml.get("name")
          + ", not " + name);
    }
    return new Pulled(archive, layer, manifest.digest(), chartYaml);
  }

  /**
   * Pushes {@code archive} as {@code name:version} unless that version exists. The same content again is a no-op;
   * other content under an existing version is refused: versions are immutable. Returns the manifest digest.
   */
  String push(String name, String version, Path archive, Map<String, Object> chartYaml) {
    String repository = target.repository(name);
    String layer = ChartArchive.digest(archive);
    Optional<OciRegistry.Manifest> existing = registry.pullManifest(repository, OciRegistry.tag(version));
    if (existing.isPresent()) {
      String published = layerDigest(existing.get(), name + " " + version);
      if (!published.equals(layer)) {
        throw new StackpipeException(name + " " + version + " is already published at " + target + " with digest "
            + published + ": versions are immutable (this one: " + layer + ")");
      }
      return existing.get().digest();
    }
    return HelmOci.push(registry, repository, version, archive, chartYaml);
  }

  /** The top-level Chart.yaml of a chart archive. */
  static Map<?, ?> chartYaml(Path archive, String display) {
    return chartYaml(ChartArchive.files(archive), display);
  }

  /** The top-level Chart.yaml among a chart archive's files. */
  static Map<?, ?> chartYaml(Map<String, byte[]> files, String display) {
    Map.Entry<String, byte[]> entry = files.entrySet().stream()
        .filter(e -> e.getKey().matches("[^/]+/Chart\\.yaml")).findFirst()
        .orElseThrow(() -> new StackpipeException(display + ": not a Helm chart archive (no Chart.yaml)"));
    if (!(SafeYaml.load(new String(entry.getValue(), StandardCharsets.UTF_8), display + ":" + entry.getKey())
        instanceof Map<?, ?> chart)) {
      throw new StackpipeException(display + ":" + entry.getKey() + ": must be a YAML mapping");
    }
    return chart;
  }

  private static String layerDigest(OciRegistry.Manifest manifest, String display) {
    try {
      for (JsonNode layer : JSON.readTree(manifest.bytes()).path("layers")) {
        if (LAYER.equals(layer.path("mediaType").asText())) {
          return layer.path("digest").asText();
        }
      }
    } catch (IOException e) {
      throw new StackpipeException(display + ": the registry's manifest is not JSON");
    }
    throw new StackpipeException(display + " is in the registry but is not a Helm chart");
  }
}
