package io.stackpipe.deploy;

import io.stackpipe.StackpipeException;
import io.stackpipe.umbrella.Umbrella;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a stack is synced to: a manifest's version of every service, and where their charts are.
 *
 * @param manifest the umbrella chart's name ({@code platform})
 * @param version the manifest's version, as messages name it (e.g. L3's {@code 4.0.0-c4k9x2m7q})
 * @param charts {@code oci://host/path} of the service charts
 * @param services service chart name → version, in name order
 */
public record SyncTarget(String manifest, String version, String charts, Map<String, String> services) {

  public SyncTarget {
    if (services.isEmpty()) {
      throw StackpipeException.ofField("to", manifest + " " + version + " names no service");
    }
    services = java.util.Collections.unmodifiableMap(new TreeMap<>(services));
  }

  /** An umbrella's pinned services, with the service charts in {@code charts}. */
  public static SyncTarget of(Umbrella umbrella, String charts) {
    Map<String, String> services = new TreeMap<>();
    umbrella.services().forEach(s -> services.put(s.name(), s.version()));
    return new SyncTarget(umbrella.name(), umbrella.version(), charts, services);
  }

  @Override
  public String toString() {
    return manifest + " " + version;
  }
}
