package io.stackpipe.kube.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.kube.KubeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Helm's release record, written exactly as Helm's Secrets storage driver writes it, so the Helm CLI reads, upgrades,
 * rolls back and uninstalls the release: a Secret {@code sh.helm.release.v1.NAME.vN} of type
 * {@code helm.sh/release.v1}, labels {@code name}, {@code owner=helm}, {@code status}, {@code version}, and data
 * {@code release} = base64(gzip(JSON of the release: name, namespace, version, info, chart, config, manifest))).
 */
final class ReleaseRecord {

  static final String TYPE = "helm.sh/release.v1";
  /** Go's zero time, as Helm marshals the release's unset {@code info.deleted}. */
  private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";

  private ReleaseRecord() {}

  static String secretName(String release, int version) {
    return "sh.helm.release.v1." + release + ".v" + version;
  }

  /** The label selector of every revision of {@code release}. */
  static String selector(String release) {
    return "owner=helm,name=" + release;
  }

  /**
   * The chart as Helm stores it in a release: metadata (Chart.yaml), lock, the chart's own templates, values,
   * schema and other files. Subcharts are not stored (Helm does not serialize them either).
   */
  static ObjectNode chart(Path archive) {
    Map<String, byte[]> files = new TreeMap<>(Files.isDirectory(archive) ? folder(archive)
        : ChartArchive.files(archive));
    String root = files.keySet().stream().filter(f -> f.endsWith("/Chart.yaml") && f.indexOf('/') == f.lastIndexOf('/'))
        .findFirst().map(f -> f.substring(0, f.indexOf('/') + 1))
        .orElseThrow(() -> new KubeException("chart " + archive.getFileName() + " has no Chart.yaml"));
    ObjectNode chart = ApiCalls.JSON.createObjectNode();
    chart.set("metadata", yaml(files.get(root + "Chart.yaml")));
    chart.set("lock", files.containsKey(root + "Chart.lock") ? yaml(files.get(root + "Chart.lock")) : null);
    ArrayNode templates = chart.putArray("templates");
    chart.set("values", files.containsKey(root + "values.yaml") ? yaml(files.get(root + "values.yaml"))
        : ApiCalls.JSON.createObjectNode());
    byte[] schema = files.get(root + "values.schema.json");
    if (schema == null) {
      chart.putNull("schema");
    } else {
      chart.put("schema", schema);
    }
    ArrayNode other = chart.putArray("files");
    files.forEach((path, bytes) -> {
      if (!path.startsWith(root) || path.endsWith("/")) {
        return;
      }
      String name = path.substring(root.length());
      if (name.startsWith("templates/")) {
        templates.addObject().put("name", name).put("data", bytes);
      } else if (!name.startsWith("charts/") && !name.equals("Chart.yaml") && !name.equals("Chart.lock")
          && !name.equals("values.yaml") && !name.equals("values.schema.json")) {
        other.addObject().put("name", name).put("data", bytes);
      }
    });
    return chart;
  }

  /** A chart folder's files, named as in its archive ({@code name/Chart.yaml}). */
  private static Map<String, byte[]> folder(Path chart) {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(chart)) {
      // Subcharts are not stored: their folders are not read.
      for (Path file : (Iterable<Path>) walk.filter(f -> !f.startsWith(chart.resolve("charts")))
          .filter(Files::isRegularFile)::iterator) {
        files.put(chart.getFileName() + "/" + chart.relativize(file).toString().replace('\\', '/'),
            Files.readAllBytes(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static JsonNode yaml(byte[] bytes) {
    Object loaded = RenderedManifest.goYaml().loadFromString(new String(bytes, StandardCharsets.UTF_8));
    return loaded == null ? ApiCalls.JSON.createObjectNode() : ApiCalls.JSON.valueToTree(loaded);
  }

  /** A release as Helm's JSON has it. */
  static ObjectNode release(String name, String namespace, int version, String status, String description,
      JsonNode chart, Map<String, ?> config, String manifest, Instant firstDeployed, Instant lastDeployed) {
    ObjectNode release = ApiCalls.JSON.createObjectNode();
    release.put("name", name);
    ObjectNode info = release.putObject("info");
    info.put("first_deployed", firstDeployed.toString());
    info.put("last_deployed", lastDeployed.toString());
    info.put("deleted", GO_ZERO_TIME);
    info.put("description", description);
    info.put("status", status);
    release.set("chart", chart);
    release.set("config", ApiCalls.JSON.valueToTree(config));
    release.put("manifest", manifest);
    release.put("version", version);
    release.put("namespace", namespace);
    return release;
  }

  /** The release with a new status and description (its JSON is copied). */
  static ObjectNode withStatus(JsonNode release, String status, String description) {
    ObjectNode copy = release.deepCopy();
    ObjectNode info = (ObjectNode) copy.path("info");
    info.put("status", status);
    if (description != null) {
      info.put("description", description);
    }
    return copy;
  }

  /** The Secret holding {@code release}; {@code timeLabel} is Helm's {@code createdAt} or {@code modifiedAt}. */
  static ObjectNode secret(JsonNode release, String timeLabel, Instant now) {
    String name = release.path("name").asText();
    int version = release.path("version").asInt();
    ObjectNode secret = ApiCalls.JSON.createObjectNode();
    secret.put("apiVersion", "v1").put("kind", "Secret");
    ObjectNode metadata = secret.putObject("metadata");
    metadata.put("name", secretName(name, version)).put("namespace", release.path("namespace").asText());
    metadata.putObject("labels").put(timeLabel, Long.toString(now.getEpochSecond())).put("name", name)
        .put("owner", "helm").put("status", release.path("info").path("status").asText())
        .put("version", Integer.toString(version));
    secret.put("type", TYPE);
    secret.putObject("data").put("release", encode(release).getBytes(StandardCharsets.US_ASCII));
    return secret;
  }

  /** Helm's encoding: base64 of the gzipped JSON (best compression). */
  static String encode(JsonNode release) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      ApiCalls.JSON.writeValue(gzip, release);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  /** The release JSON of a release Secret as the API returns it (data base64 over Helm's own base64). */
  static JsonNode decode(JsonNode secret) {
    String name = secret.path("metadata").path("name").asText();
    try {
      byte[] helmEncoded = Base64.getDecoder().decode(secret.path("data").path("release").asText());
      byte[] raw = Base64.getDecoder().decode(helmEncoded);
      boolean gzipped = raw.length > 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b;
      try (InputStream in = gzipped ? new GZIPInputStream(new ByteArrayInputStream(raw))
          : new ByteArrayInputStream(raw)) {
        return ApiCalls.JSON.readTree(in);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new KubeException("release record " + name + " is not a readable Helm release", e);
    }
  }
}
