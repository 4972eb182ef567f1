package io.stackpipe.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackpipe.registry.OciRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Helm chart as Helm stores it in an OCI registry: a config blob holding the chart's metadata as JSON
 * ({@value #CONFIG}), one layer holding the .tgz ({@value #LAYER}), an OCI image manifest of fixed bytes (so the same
 * archive always gets the same digest), tagged with the version ({@code +} written {@code _}). Pushed with the
 * engine's own client, so the registry credential is the session's and no Helm registry config is read or written.
 */
public final class HelmOci {

  public static final String CONFIG = "application/vnd.cncf.helm.config.v1+json";
  public static final String LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
  public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private HelmOci() {
  }

  /** Pushes {@code archive} (whose Chart.yaml is {@code chartYaml}) as {@code repository:version}; its digest. */
  public static String push(OciRegistry registry, String repository, String version, Path archive,
      Map<?, ?> chartYaml) {
    try {
      byte[] config = JSON.writeValueAsBytes(chartYaml);
      String configDigest = registry.pushBlob(repository, config);
      String layerDigest = registry.pushBlob(repository, archive);
      ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MANIFEST);
      manifest.putObject("config").put("mediaType", CONFIG).put("digest", configDigest).put("size", config.length);
      manifest.putArray("layers").addObject().put("mediaType", LAYER).put("digest", layerDigest)
          .put("size", Files.size(archive));
      return registry.pushManifest(repository, OciRegistry.tag(version), MANIFEST, JSON.writeValueAsBytes(manifest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
