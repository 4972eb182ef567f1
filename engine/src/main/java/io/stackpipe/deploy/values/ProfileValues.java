package io.stackpipe.deploy.values;

import io.stackpipe.Names;
import io.stackpipe.StackpipeException;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.profile.Profiles;
import io.stackpipe.secrets.DecryptedSecrets;
import io.stackpipe.secrets.SopsDecrypt;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.yaml.SafeYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The values a chart artifact is deployed with under one of the profiles packaged inside it, layered as
 * {@code profiles/P/values.yaml} ← the decrypted {@code profiles/P/secrets.yaml} ← explicit overrides; Helm puts
 * them over the chart's own {@code values.yaml}. Maps merge key by key, anything else is replaced by the later
 * layer (a {@code null} removes a default, as in Helm). Everything stays in memory: the secrets file is decrypted
 * from the archive's bytes, and {@link LayeredValues} hands Helm a file only for the length of one call.
 *
 * <pre>{@code
 * LayeredValues values = ProfileValues.of(Path.of("orders-1.4.0.tgz"), "qa1")
 *     .withSecretKeys(SecretKeys.fromEnvironment(env))
 *     .withSet("replicaCount=3")
 *     .call();
 * }</pre>
 *
 * An umbrella chart nests each subchart's {@link LayeredValues#values()} under its dependency name or alias.
 */
public final class ProfileValues {
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");

  private final Path chart;
  private final String profile;
  private SecretKeys keys;
  private boolean skipSecrets;
  private final Map<String, Object> overrides = new LinkedHashMap<>();
  private final List<String> sets = new ArrayList<>();

  private ProfileValues(Path chart, String profile) {
    this.chart = chart;
    this.profile = profile;
  }

  /** {@code chart}: a packaged chart (.tgz) as the chart build wrote it, profiles/ included. */
  public static ProfileValues of(Path chart, String profile) {
    return new ProfileValues(chart, profile);
  }

  /** The keys that open the profile's secrets.yaml (required when the profile has one, unless skipped). */
  public ProfileValues withSecretKeys(SecretKeys keys) {
    this.keys = keys;
    return this;
  }

  /** Leaves a profile's secrets.yaml out; the result says so ({@link LayeredValues#secretsSkipped()}). */
  public ProfileValues withoutSecrets() {
    this.skipSecrets = true;
    return this;
  }

  /** One override in Helm's {@code --set} form: {@code a.b=v}, {@code \.} for a dot inside a key. */
  public ProfileValues withSet(String assignment) {
    sets.add(assignment);
    return this;
  }

  /** Overrides as a tree, applied before the {@link #withSet} ones. */
  public ProfileValues withOverrides(Map<String, ?> values) {
    merge(overrides, values);
    return this;
  }

  public LayeredValues call() {
    if (profile == null || !Names.isDns1123Label(profile)) {
      throw StackpipeException.ofField("profile", "'" + profile + "' is not a profile name (a DNS-1123 label)");
    }
    List<Map<String, Object>> assignments = sets.stream().map(ProfileValues::parseSet).toList();
    List<String> listing = ChartArchive.listing(chart);
    String name = chartName(listing);
    String folder = name + "/" + Profiles.DIRECTORY + "/" + profile + "/";
    if (listing.stream().noneMatch(entry -> entry.startsWith(folder))) {
      throw StackpipeException.ofField("profile", "no profile " + profile + " in " + chart.getFileName()
          + " (it has " + profileNames(listing, name) + ")");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    List<String> layers = new ArrayList<>();
    Optional<byte[]> profileValues = ChartArchive.entry(chart, folder + Profiles.VALUES);
    if (profileValues.isPresent()) {
      String display = chart.getFileName() + ":" + folder + Profiles.VALUES;
      merge(values, mapping(SafeYaml.load(new String(profileValues.get(), StandardCharsets.UTF_8), display), display));
      layers.add(Profiles.DIRECTORY + "/" + profile + "/" + Profiles.VALUES);
    }
    Set<String> secretValues = new LinkedHashSet<>();
    Optional<byte[]> secrets = ChartArchive.entry(chart, folder + Profiles.SECRETS);
    boolean skipped = secrets.isPresent() && skipSecrets;
    if (secrets.isPresent() && !skipSecrets) {
      if (keys == null) {
        throw new StackpipeException("profile " + profile + " of " + chart.getFileName()
            + " has secrets.yaml: keys to decrypt it are required");
      }
      Path display = Path.of(chart.getFileName() + ":" + folder + Profiles.SECRETS);
      DecryptedSecrets decrypted = new SopsDecrypt(keys).call(display, new String(secrets.get(), StandardCharsets.UTF_8));
      secretValues.addAll(decrypted.secretValues());
      if (!decrypted.documents().isEmpty()) {
        merge(values, decrypted.documents().get(0));
      }
      layers.add(Profiles.DIRECTORY + "/" + profile + "/" + Profiles.SECRETS + " (decrypted)");
    }
    if (!overrides.isEmpty() || !sets.isEmpty()) {
      merge(values, overrides);
      assignments.forEach(assignment -> merge(values, assignment));
      layers.add("overrides");
    }
    return new LayeredValues(name, profile, values, layers, secretValues, skipped);
  }

  /** Deep merge as Helm coalesces user values: maps key by key, the later layer wins elsewhere. */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> into, Map<String, ?> layer) {
    layer.forEach((key, value) -> {
      Object existing = into.get(key);
      if (existing instanceof Map<?, ?> existingMap && value instanceof Map<?, ?> valueMap) {
        Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) existingMap);
        merge(merged, (Map<String, ?>) valueMap);
        into.put(key, merged);
      } else {
        into.put(key, value instanceof Map<?, ?> m ? copy((Map<String, ?>) m) : value);
      }
    });
  }

  private static Map<String, Object> copy(Map<String, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    merge(out, map);
    return out;
  }

  /** {@code a.b=v} as a tree; the value typed as Helm's {@code --set} types it (bool, int64, null, string). */
  private static Map<String, Object> parseSet(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw StackpipeException.ofField("set", "'" + assignment + "' is not key=value");
    }
    List<String> path = new ArrayList<>();
    StringBuilder key = new StringBuilder();
    String left = assignment.substring(0, eq);
    for (int i = 0; i < left.length(); i++) {
      char c = left.charAt(i);
      if (c == '\\' && i + 1 < left.length() && left.charAt(i + 1) == '.') {
        key.append('.');
        i++;
      } else if (c == '.') {
        path.add(key.toString());
        key.setLength(0);
      } else {
        key.append(c);
      }
    }
    path.add(key.toString());
    if (path.stream().anyMatch(p -> p.isEmpty() || p.contains("[") || p.contains(","))) {
      throw StackpipeException.ofField("set", "'" + left + "' is not a dotted key (a.b.c; no lists or commas)");
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put(path.get(path.size() - 1), typed(assignment.substring(eq + 1)));
    for (int i = path.size() - 2; i >= 0; i--) {
      Map<String, Object> parent = new LinkedHashMap<>();
      parent.put(path.get(i), tree);
      tree = parent;
    }
    return tree;
  }

  private static Object typed(String value) {
    return switch (value) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      case "null" -> null;
      default -> INTEGER.matcher(value).matches() ? (Object) Long.parseLong(value) : value;
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> mapping(Object loaded, String display) {
    if (loaded == null) {
      return Map.of();
    }
    if (!(loaded instanceof Map<?, ?> map)) {
      throw new StackpipeException(display + ": must be a YAML mapping");
    }
    return (Map<String, ?>) map;
  }

  private String chartName(List<String> listing) {
    return listing.stream().filter(entry -> entry.matches("[^/]+/Chart\\.yaml")).findFirst()
        .map(entry -> entry.substring(0, entry.indexOf('/')))
        .orElseThrow(() -> StackpipeException.ofField("chart", chart + ": not a Helm chart archive (no Chart.yaml)"));
  }

  private static String profileNames(List<String> listing, String name) {
    String prefix = name + "/" + Profiles.DIRECTORY + "/";
    TreeSet<String> names = new TreeSet<>();
    for (String entry : listing) {
      if (entry.startsWith(prefix) && entry.indexOf('/', prefix.length()) > 0) {
        names.add(entry.substring(prefix.length(), entry.indexOf('/', prefix.length())));
      }
    }
    return names.isEmpty() ? "no profiles" : "profiles " + String.join(", ", names);
  }
}
