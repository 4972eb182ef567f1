package io.stackpipe.umbrella;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.registry.OciDigest;
import io.stackpipe.registry.auth.RegistryAuth;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Pulls an umbrella chart from the registry (by version, tag or digest: a tag such as {@code l3} is resolved to
 * the digest it points at once, and that digest is what is recorded) and reads which service charts it pins.
 * Any umbrella works, also one made with the plain Helm CLI: each dependency must be vendored in {@code charts/}.
 */
public final class UmbrellaPull {

  private final String charts;
  private final String name;
  private final String reference;
  private boolean plainHttp;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private Path outputDirectory;
  private Consumer<String> progress = line -> { };

  private UmbrellaPull(String charts, String name, String reference) {
    this.charts = charts;
    this.name = name;
    this.reference = reference;
  }

  /** {@code oci://host/path/name:version}, {@code …/name:tag} or {@code …/name@sha256:…}. */
  public static UmbrellaPull of(String ociReference) {
    String rest = ociReference.substring(ociReference.lastIndexOf('/') + 1);
    int at = rest.indexOf('@');
    int colon = rest.indexOf(':');
    int split = at >= 0 ? at : colon;
    if (!ociReference.startsWith("oci://") || ociReference.lastIndexOf('/') < "oci://".length() || split <= 0) {
      throw StackpipeException.ofField("manifest", "'" + ociReference
          + "' is not oci://host/path/name:version or oci://host/path/name@sha256:…");
    }
    String location = ociReference.substring(0, ociReference.lastIndexOf('/'));
    return new UmbrellaPull(location, rest.substring(0, split), rest.substring(split + 1));
  }

  /** Umbrella {@code name} at {@code reference} (a version, tag or digest) in {@code charts} ({@code oci://host/path}). */
  public static UmbrellaPull of(String charts, String name, String reference) {
    return new UmbrellaPull(charts, name, reference);
  }

  public UmbrellaPull plainHttp() {
    this.plainHttp = true;
    return this;
  }

  /** Where registry credentials come from (default: anonymous). */
  public UmbrellaPull withRegistryAuth(RegistryAuth value) {
    this.auth = value;
    return this;
  }

  /** Where the umbrella .tgz is written (required). */
  public UmbrellaPull withOutputDirectory(Path value) {
    this.outputDirectory = value;
    return this;
  }

  public UmbrellaPull withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public Umbrella call() {
    if (outputDirectory == null) {
      throw StackpipeException.ofField("outputDirectory", "is required");
    }
    OciCharts registry = new OciCharts(OciChartTarget.parse(charts), plainHttp, auth);
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-umbrella-")) {
      OciCharts.Pulled pulled = registry.pull(name, reference, temp.path());
      String display = registry.target() + "/" + name + ":" + reference;
      Files.createDirectories(outputDirectory);
      Path archive = outputDirectory.resolve(name + "-" + pulled.version() + ".tgz");
      Files.move(pulled.archive(), archive, StandardCopyOption.REPLACE_EXISTING);
      List<Umbrella.Service> services = services(archive, pulled.chartYaml(), display);
      String location = registry.target() + "/" + name + "@" + pulled.manifestDigest();
      progress.accept("pulled " + display + (OciDigest.isDigest(reference) ? "" : " = " + location) + ": "
          + services.size() + " charts");
      return new Umbrella(name, pulled.version(), pulled.layerDigest(), location, archive, services);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every dependency of Chart.yaml, matched with the chart vendored for it in charts/. */
  private static List<Umbrella.Service> services(Path archive, Map<?, ?> chartYaml, String display) {
    Map<String, byte[]> files = ChartArchive.files(archive);
    String root = chartYaml.get("name") + "/charts/";
    Map<String, String> vendored = new HashMap<>();
    files.forEach((path, bytes) -> {
      if (path.startsWith(root) && path.endsWith(".tgz") && path.indexOf('/', root.length()) < 0) {
        Map<?, ?> sub = OciCharts.chartYaml(ChartArchive.read(new ByteArrayInputStream(bytes), display + ":" + path),
            display + ":" + path);
        vendored.put(sub.get("name") + " " + sub.get("version"), path);
      }
    });
    List<Umbrella.Service> services = new ArrayList<>();
    // An empty list is an umbrella of no service (an empty L3); no list at all is some other chart.
    if (!(chartYaml.get("dependencies") instanceof List<?> dependencies)) {
      throw new StackpipeException(display + ": Chart.yaml has no dependencies: not an umbrella chart");
    }
    for (Object item : dependencies) {
      if (!(item instanceof Map<?, ?> dependency) || dependency.get("name") == null) {
        throw new StackpipeException(display + ": Chart.yaml dependencies must be mappings with a name");
      }
      String chart = String.valueOf(dependency.get("name"));
      String version = String.valueOf(dependency.get("version"));
      String entry = vendored.get(chart + " " + version);
      if (entry == null) {
        throw new StackpipeException(display + ": dependency " + chart + " " + version + " is not vendored in charts/");
      }
      Object alias = dependency.get("alias");
      services.add(new Umbrella.Service(chart, alias == null ? null : alias.toString(), version,
          OciDigest.of(files.get(entry)), entry));
    }
    return services;
  }
}
