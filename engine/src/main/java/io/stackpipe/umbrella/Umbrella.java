package io.stackpipe.umbrella;

import io.stackpipe.Result;
import io.stackpipe.chart.ChartArchive;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An umbrella chart: one chart whose dependencies pin a version of every service chart, each vendored in its
 * {@code charts/} folder, so installing it is one Helm release of all services.
 *
 * @param digest sha256 of the archive: the chart layer's digest in the registry
 * @param reference where it is in the registry ({@code oci://host/path/name@sha256:…}), or {@code null} when it was
 *     assembled and not pushed
 * @param archive the .tgz on this machine
 */
public record Umbrella(String name, String version, String digest, String reference, Path archive,
    List<Service> services) implements Result {

  /**
   * A service chart inside the umbrella.
   *
   * @param alias the dependency's alias, or {@code null}; its values live under {@link #key()}
   * @param digest sha256 of its vendored archive
   * @param entry its path inside the umbrella archive ({@code platform/charts/orders-1.4.0.tgz})
   */
  public record Service(String name, String alias, String version, String digest, String entry) implements Result {

    /** Where Helm reads this subchart's values in the umbrella's values: its alias, else its name. */
    public String key() {
      return alias != null ? alias : name;
    }

    @Override
    public Map<String, Object> toMap() {
      return Result.fields("name", name, "alias", alias, "version", version, "digest", digest);
    }
  }

  public Umbrella {
    services = List.copyOf(services);
  }

  /** Each service's chart archive as vendored (.tgz bytes), the umbrella read once. */
  public Map<Service, byte[]> serviceArchives() {
    Map<String, byte[]> files = ChartArchive.files(archive);
    Map<Service, byte[]> charts = new LinkedHashMap<>();
    services.forEach(service -> charts.put(service, files.get(service.entry())));
    return charts;
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("name", name, "version", version, "digest", digest, "reference", reference,
        "archive", archive.toString(), "services", services.stream().map(Service::toMap).toList());
  }
}
