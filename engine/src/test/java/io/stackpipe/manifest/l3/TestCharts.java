package io.stackpipe.manifest.l3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.registry.OciRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small real service charts (a ConfigMap each) pushed to a real registry the way Helm pushes them, so tests can
 * have many services and versions without packaging each through Helm.
 */
final class TestCharts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String charts;
  private final OciRegistry registry;
  private final Path work;

  TestCharts(String charts, Path work) {
    this.charts = charts;
    this.registry = OciChartTarget.parse(charts).registry(false, io.stackpipe.registry.auth.RegistryAuth.anonymous());
    this.work = work;
  }

  String charts() {
    return charts;
  }

  OciRegistry registry() {
    return registry;
  }

  String repository(String chart) {
    return OciChartTarget.parse(charts).repository(chart);
  }

  /** Pushes chart {@code name} at each of {@code versions}. */
  TestCharts publish(String name, String... versions) {
    for (String version : versions) {
      push(name, version);
    }
    return this;
  }

  private void push(String name, String version) {
    try {
      Map<String, byte[]> files = new TreeMap<>();
      String chartYaml = "apiVersion: v2\nname: " + name + "\nversion: " + version + "\ntype: application\n";
      files.put(name + "/Chart.yaml", chartYaml.getBytes(StandardCharsets.UTF_8));
      files.put(name + "/values.yaml", "greeting: hello\n".getBytes(StandardCharsets.UTF_8));
      // The profile a gate's stack installs every service with.
      files.put(name + "/profiles/ephemeral/values.yaml", "greeting: hi\n".getBytes(StandardCharsets.UTF_8));
      files.put(name + "/templates/configmap.yaml", ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "
          + name + "\ndata:\n  version: \"" + version + "\"\n").getBytes(StandardCharsets.UTF_8));
      Path archive = work.resolve(name + "-" + version + ".tgz");
      Files.createDirectories(work);
      ChartArchive.write(files, archive);
      String repository = repository(name);
      ObjectNode config = JSON.createObjectNode().put("apiVersion", "v2").put("name", name).put("version", version)
          .put("type", "application");
      byte[] configBytes = JSON.writeValueAsBytes(config);
      String configDigest = registry.pushBlob(repository, configBytes);
      String layer = registry.pushBlob(repository, archive);
      ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
          .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
      manifest.putObject("config").put("mediaType", "application/vnd.cncf.helm.config.v1+json")
          .put("digest", configDigest).put("size", configBytes.length);
      manifest.putArray("layers").addObject().put("mediaType", "application/vnd.cncf.helm.chart.content.v1.tar+gzip")
          .put("digest", layer).put("size", Files.size(archive));
      registry.pushManifest(repository, OciRegistry.tag(version), "application/vnd.oci.image.manifest.v1+json",
          JSON.writeValueAsBytes(manifest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
