package io.stackpipe.umbrella;

import io.stackpipe.SemVer;
import io.stackpipe.Names;
import io.stackpipe.StackpipeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One service chart of a manifest as a user names it: {@code orders=1.4.0}. The version may also be a registry tag
 * that is not SemVer ({@code l3}) or a manifest digest ({@code sha256:…}); those are resolved to the chart's own
 * version and digest before Helm sees them.
 */
public record ServiceVersion(String name, String version) {

  /** {@code name=version[,name=version…]}, also separated by spaces. */
  public static List<ServiceVersion> parseList(String text, String field) {
    List<ServiceVersion> services = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String item : text.strip().split("[,\\s]+")) {
      if (item.isEmpty()) {
        continue;
      }
      ServiceVersion service = parse(item, field);
      if (!seen.add(service.name())) {
        throw StackpipeException.ofField(field, "service " + service.name() + " is named twice");
      }
      services.add(service);
    }
    if (services.isEmpty()) {
      throw StackpipeException.ofField(field, "names no service (expected name=version, …)");
    }
    return services;
  }

  public static ServiceVersion parse(String item, String field) {
    int equals = item.indexOf('=');
    if (equals <= 0 || equals == item.length() - 1) {
      throw StackpipeException.ofField(field, "'" + item + "' is not name=version");
    }
    String name = item.substring(0, equals);
    String version = item.substring(equals + 1);
    if (!Names.isDns1123Label(name)) {
      throw StackpipeException.ofField(field, "'" + name + "' is not a chart name (a DNS-1123 label)");
    }
    if (!version.matches("[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}|sha256:[0-9a-f]{64}")) {
      throw StackpipeException.ofField(field, "'" + version + "' of " + name + " is not a version, tag or digest");
    }
    return new ServiceVersion(name, version);
  }

  /** Whether the version is a SemVer chart version rather than a tag or digest to resolve. */
  boolean pinned() {
    return SemVer.isValid(version);
  }

  @Override
  public String toString() {
    return name + "=" + version;
  }
}
