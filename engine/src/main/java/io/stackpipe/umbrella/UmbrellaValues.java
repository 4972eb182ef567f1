package io.stackpipe.umbrella;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.deploy.values.LayeredValues;
import io.stackpipe.deploy.values.ProfileValues;
import io.stackpipe.profile.Profiles;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The values an umbrella chart is installed with under one profile. Helm applies each subchart's own
 * {@code values.yaml} but knows nothing of packaged profiles, so each subchart's {@code profiles/P/values.yaml} is
 * nested here under its dependency name or alias. Every subchart must have the profile: one refusal names all
 * that lack it. Holds no secret in {@link #toString}.
 *
 * @param services per subchart (by values key), what was layered
 * @param secretValues every decrypted value's text, for masking (e.g. in a system test's output)
 */
public record UmbrellaValues(String profile, Map<String, Object> values, List<ServiceProfile> services,
    Set<String> secretValues) {

  /** One subchart's part: its values key, chart, and whether its profile's secrets were left out. */
  public record ServiceProfile(String key, String chart, String version, boolean secretsSkipped) {}

  public UmbrellaValues {
    values = java.util.Collections.unmodifiableMap(values);
    services = List.copyOf(services);
    secretValues = Set.copyOf(secretValues);
  }

  /** Without keys: each profile's secrets are left out (and said so per service). */
  public static UmbrellaValues compose(Umbrella umbrella, String profile) {
    return compose(umbrella, profile, null);
  }

  /** With {@code keys} (null: none), each subchart's profile secrets are decrypted and layered after its values. */
  public static UmbrellaValues compose(Umbrella umbrella, String profile, SecretKeys keys) {
    if (profile == null || !io.stackpipe.Names.isDns1123Label(profile)) {
      throw StackpipeException.ofField("profile", "'" + profile + "' is not a profile name (a DNS-1123 label)");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    List<ServiceProfile> services = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Set<String> secrets = new HashSet<>();
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-umbrella-values-")) {
      for (Map.Entry<Umbrella.Service, byte[]> entry : umbrella.serviceArchives().entrySet()) {
        Umbrella.Service service = entry.getKey();
        String folder = service.name() + "/" + Profiles.DIRECTORY + "/" + profile + "/";
        Path chart = Files.write(temp.path().resolve(service.key() + ".tgz"), entry.getValue());
        List<String> listing = ChartArchive.listing(chart);
        if (listing.stream().noneMatch(path -> path.startsWith(folder))) {
          missing.add(service.name() + " " + service.version() + " (it has " + profileNames(listing, service.name())
              + ")");
          continue;
        }
        Layer layer = layer(chart, profile, keys);
        values.put(service.key(), layer.values());
        secrets.addAll(layer.secretValues());
        services.add(new ServiceProfile(service.key(), service.name(), service.version(), layer.secretsSkipped()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!missing.isEmpty()) {
      throw StackpipeException.ofField("profile", "no profile " + profile + " in " + umbrella.name() + " "
          + umbrella.version() + " for " + String.join(", ", missing));
    }
    return new UmbrellaValues(profile, values, services, secrets);
  }

  private record Layer(Map<String, Object> values, boolean secretsSkipped, Set<String> secretValues) {}

  /** One subchart's profile values, composed as deployProfile composes them. */
  private static Layer layer(Path chart, String profile, SecretKeys keys) {
    ProfileValues composer = ProfileValues.of(chart, profile);
    LayeredValues layered = (keys == null ? composer.withoutSecrets() : composer.withSecretKeys(keys)).call();
    return new Layer(new LinkedHashMap<>(layered.values()), layered.secretsSkipped(), layered.secretValues());
  }

  private static String profileNames(List<String> listing, String name) {
    String prefix = name + "/" + Profiles.DIRECTORY + "/";
    TreeSet<String> names = new TreeSet<>();
    for (String path : listing) {
      if (path.startsWith(prefix) && path.indexOf('/', prefix.length()) > 0) {
        names.add(path.substring(prefix.length(), path.indexOf('/', prefix.length())));
      }
    }
    return names.isEmpty() ? "no profiles" : "profiles " + String.join(", ", names);
  }

  @Override
  public String toString() {
    return "UmbrellaValues[profile=" + profile + ", services=" + services + "]";
  }
}
