package io.stackpipe.manifest.l3;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.umbrella.ServiceVersion;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaBuild;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Assembles the umbrella of an L3 or candidate from the registry's charts and pushes it as an immutable version. */
final class UmbrellaPush {

  private UmbrellaPush() {
  }

  static Umbrella push(L3 l3, List<ServiceVersion> services, String version) {
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-l3-")) {
      UmbrellaBuild build = UmbrellaBuild.of(services).from(l3.charts()).withName(l3.name()).withVersion(version)
          .withOutputDirectory(temp.path()).allowEmpty().push().withProgress(l3.s().progress())
          .withRegistryAuth(l3.s().auth());
      if (l3.s().plainHttp()) {
        build.plainHttp();
      }
      return build.call();
    }
  }

  static List<ServiceVersion> pins(Map<String, String> services) {
    return services.entrySet().stream().map(e -> new ServiceVersion(e.getKey(), e.getValue())).toList();
  }

  /** Every service as the umbrella pins it, name → version. */
  static Map<String, String> versions(Umbrella umbrella) {
    Map<String, String> versions = new TreeMap<>();
    umbrella.services().forEach(s -> versions.put(s.name(), s.version()));
    return versions;
  }
}
