package io.stackpipe.umbrella;

import io.stackpipe.SemVer;
import io.stackpipe.Names;
import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.chart.OciChartTarget;
import io.stackpipe.registry.OciDigest;
import io.stackpipe.yaml.SafeYaml;
import io.stackpipe.registry.auth.RegistryAuth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Assembles an umbrella chart from service charts in the registry: {@code Chart.yaml} dependencies pin each
 * chart's version with {@code repository: oci://…}, and each chart is vendored in {@code charts/} as the registry
 * holds it (layer digest verified). The archive is reproducible: the same charts make the same bytes. A tag or
 * digest given instead of a version is resolved to the chart's own version first: Helm only ever sees SemVer.
 *
 * <pre>{@code
 * Umbrella umbrella = UmbrellaBuild.of(ServiceVersion.parseList("orders=1.4.0,billing=l3", "manifest"))
 *     .from("oci://registry.example.com/charts")
 *     .withOutputDirectory(Path.of("target/manifests"))
 *     .push()
 *     .call();
 * }</pre>
 */
public final class UmbrellaBuild {

  public static final String DEFAULT_NAME = "platform";
  private static final int PULLS_IN_FLIGHT = 8;

  private final List<ServiceVersion> services;
  private String from;
  private boolean plainHttp;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private String name = DEFAULT_NAME;
  private String version;
  private Path outputDirectory;
  private boolean push;
  private boolean allowEmpty;
  private Consumer<String> progress = line -> { };

  private UmbrellaBuild(List<ServiceVersion> services) {
    this.services = List.copyOf(services);
  }

  public static UmbrellaBuild of(List<ServiceVersion> services) {
    return new UmbrellaBuild(services);
  }

  /** {@code oci://host/path}: where the service charts are, each in repository {@code path/<name>}. */
  public UmbrellaBuild from(String charts) {
    this.from = charts;
    return this;
  }

  /** Plain HTTP to a registry that is not on the loopback interface. */
  /** Where registry credentials come from (default: anonymous). */
  public UmbrellaBuild withRegistryAuth(RegistryAuth value) {
    this.auth = value;
    return this;
  }

  public UmbrellaBuild plainHttp() {
    this.plainHttp = true;
    return this;
  }

  /** The umbrella chart's name (default {@value #DEFAULT_NAME}). */
  public UmbrellaBuild withName(String value) {
    this.name = value;
    return this;
  }

  /** Its version; by default {@code 0.0.0-sha-<12 hex digits>} of the pinned charts, the same for the same charts. */
  public UmbrellaBuild withVersion(String value) {
    this.version = value;
    return this;
  }

  /** Where the umbrella .tgz is written (required). */
  public UmbrellaBuild withOutputDirectory(Path value) {
    this.outputDirectory = value;
    return this;
  }

  /** Pushes the umbrella next to the service charts as an immutable version. */
  public UmbrellaBuild push() {
    this.push = true;
    return this;
  }

  /** An umbrella of no service at all (an empty L3) is allowed: it installs nothing. */
  public UmbrellaBuild allowEmpty() {
    this.allowEmpty = true;
    return this;
  }

  public UmbrellaBuild withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public Umbrella call() {
    if (from == null) {
      throw StackpipeException.ofField("charts", "is required: the oci:// location of the service charts");
    }
    if (outputDirectory == null) {
      throw StackpipeException.ofField("outputDirectory", "is required");
    }
    if (!Names.isDns1123Label(name)) {
      throw StackpipeException.ofField("name", "'" + name + "' is not a chart name (a DNS-1123 label)");
    }
    if (version != null) {
      SemVer.parse("version", version);
    }
    if (services.isEmpty() && !allowEmpty) {
      throw StackpipeException.ofField("manifest", "names no service");
    }
    services.stream().filter(s -> s.name().equals(name)).findFirst().ifPresent(s -> {
      throw StackpipeException.ofField("manifest", "service " + s.name() + " has the umbrella's own name");
    });
    OciCharts registry = new OciCharts(OciChartTarget.parse(from), plainHttp, auth);
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-umbrella-")) {
      List<OciCharts.Pulled> pulled = pullAll(registry, temp.path());
      Map<String, byte[]> files = new TreeMap<>();
      List<Map<String, Object>> dependencies = new ArrayList<>();
      List<Umbrella.Service> pinned = new ArrayList<>();
      for (OciCharts.Pulled chart : pulled) {
        String entry = name + "/charts/" + chart.name() + "-" + chart.version() + ".tgz";
        files.put(entry, Files.readAllBytes(chart.archive()));
        Map<String, Object> dependency = new LinkedHashMap<>();
        dependency.put("name", chart.name());
        dependency.put("version", chart.version());
        dependency.put("repository", registry.target().toString());
        dependencies.add(dependency);
        pinned.add(new Umbrella.Service(chart.name(), null, chart.version(), chart.layerDigest(), entry));
      }
      String umbrellaVersion = version != null ? version : contentVersion(pinned);
      Map<String, Object> chartYaml = new LinkedHashMap<>();
      chartYaml.put("apiVersion", "v2");
      chartYaml.put("name", name);
      chartYaml.put("version", umbrellaVersion);
      chartYaml.put("description", "Stackpipe manifest: " + pinned.size() + " service charts");
      chartYaml.put("type", "application");
      chartYaml.put("dependencies", dependencies);
      files.put(name + "/Chart.yaml", SafeYaml.dump(chartYaml).getBytes(StandardCharsets.UTF_8));
      files.put(name + "/values.yaml", values(pinned));
      Files.createDirectories(outputDirectory);
      Path archive = outputDirectory.resolve(name + "-" + umbrellaVersion + ".tgz");
      ChartArchive.write(files, archive);
      String digest = ChartArchive.digest(archive);
      progress.accept("assembled " + name + " " + umbrellaVersion + " of " + pinned.size() + " charts: " + archive
          + " (" + digest + ")");
      String reference = null;
      if (push) {
        String manifest = registry.push(name, umbrellaVersion, archive, chartYaml);
        reference = registry.target() + "/" + name + "@" + manifest;
        progress.accept("pushed " + registry.target() + "/" + name + ":" + umbrellaVersion + " (" + manifest + ")");
      }
      return new Umbrella(name, umbrellaVersion, digest, reference, archive, pinned);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pulls every chart, a few at a time; sorted by name so the archive does not depend on the order given. */
  private List<OciCharts.Pulled> pullAll(OciCharts registry, Path directory) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PULLS_IN_FLIGHT, services.size())));
    try {
      List<Future<OciCharts.Pulled>> futures = new ArrayList<>();
      for (ServiceVersion service : services) {
        futures.add(pool.submit(() -> {
          OciCharts.Pulled chart = registry.pull(service.name(), service.version(), directory);
          if (!service.pinned()) {
            progress.accept(service + " is " + chart.name() + " " + chart.version() + " (" + chart.manifestDigest()
                + ")");
          } else if (!chart.version().equals(service.version())) {
            throw new StackpipeException(service + ": the registry's chart says version " + chart.version());
          }
          return chart;
        }));
      }
      List<OciCharts.Pulled> pulled = new ArrayList<>();
      for (Future<OciCharts.Pulled> future : futures) {
        pulled.add(join(future));
      }
      pulled.sort(Comparator.comparing(OciCharts.Pulled::name));
      return pulled;
    } finally {
      pool.shutdownNow();
    }
  }

  private static OciCharts.Pulled join(Future<OciCharts.Pulled> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new CompletionException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackpipeException("interrupted while pulling the service charts");
    }
  }

  /**
   * One release holds every service, so each subchart's objects are named after the service
   * ({@code fullnameOverride}, the {@code helm create} convention) rather than after the release: a service is
   * {@code http://orders:8080} in an umbrella stack as in a stack of single releases, also for the plain Helm CLI.
   */
  private static byte[] values(List<Umbrella.Service> services) {
    StringBuilder yaml = new StringBuilder("# Each service's objects are named after it, not after the release.\n");
    services.forEach(s -> yaml.append(s.key()).append(":\n  fullnameOverride: ").append(s.key()).append('\n'));
    return yaml.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String contentVersion(List<Umbrella.Service> services) {
    StringBuilder pins = new StringBuilder();
    services.forEach(s -> pins.append(s.name()).append('@').append(s.digest()).append('\n'));
    return "0.0.0-sha-" + OciDigest.of(pins.toString().getBytes(StandardCharsets.UTF_8)).substring(7, 19);
  }
}
