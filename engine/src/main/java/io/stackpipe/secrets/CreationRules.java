package io.stackpipe.secrets;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.format.SopsMetadata;
import io.stackpipe.secrets.format.Tree;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.AwsKms;
import io.stackpipe.secrets.core.MasterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code creation_rules} of a {@code .sops.yaml}, as sops reads them: the first rule whose {@code path_regex}
 * matches the file's path relative to the config's directory (or that has no path_regex) gives the keys — {@code kms},
 * {@code age}, {@code pgp} as comma-separated strings or lists (a KMS entry may carry "+arn:…role"), or
 * {@code key_groups} with {@code shamir_threshold} — and the encryption selection rules.
 */
public record CreationRules(Path configFile, List<Map<String, Object>> rules) {
  public static final String FILE_NAME = ".sops.yaml";

  /** What a matching rule yields for one file. */
  public record Rule(List<List<MasterKey>> keyGroups, int shamirThreshold, SopsMetadata.Rules rules) {
  }

  /**
   * The rule for {@code file}: from {@code config} if given, else from the nearest {@code .sops.yaml} in the file's
   * directory or above it.
   */
  public static Rule ruleFor(Path file, Optional<Path> config) {
    Path c = config.or(() -> find(file))
        .orElseThrow(() -> new SecretsException(file + ": no " + FILE_NAME + " found in its directory or above"));
    return load(c).ruleFor(file);
  }

  public static CreationRules load(Path configFile) {
    Map<String, Object> root = Tree.toPlain(SopsFile.load(configFile).documents().get(0));
    Object cr = root.get("creation_rules");
    if (!(cr instanceof List<?> l)) {
      throw new SecretsException(configFile + ": no creation_rules list");
    }
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Object o : l) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new SecretsException(configFile + ": creation_rules entries must be mappings");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> rule = (Map<String, Object>) m;
      rules.add(rule);
    }
    return new CreationRules(configFile, rules);
  }

  /** The nearest .sops.yaml in the file's directory or above it. */
  public static Optional<Path> find(Path file) {
    for (Path dir = file.toAbsolutePath().normalize().getParent(); dir != null; dir = dir.getParent()) {
      Path c = dir.resolve(FILE_NAME);
      if (Files.isRegularFile(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  public Rule ruleFor(Path file) {
    Path dir = configFile.toAbsolutePath().normalize().getParent();
    Path abs = file.toAbsolutePath().normalize();
    String rel = (abs.startsWith(dir) ? dir.relativize(abs) : abs).toString().replace('\\', '/');
    for (int i = 0; i < rules.size(); i++) {
      Map<String, Object> r = rules.get(i);
      String regex = str(r.get("path_regex"));
      try {
        if (regex.isEmpty() || Pattern.compile(regex).matcher(rel).find()) {
          return toRule(r, i);
        }
      } catch (PatternSyntaxException e) {
        throw new SecretsException(configFile + ": creation_rules[" + i + "].path_regex is not a valid regex");
      }
    }
    throw new SecretsException(configFile + ": no creation rule matches " + rel);
  }

  private Rule toRule(Map<String, Object> r, int index) {
    String where = configFile + ": creation_rules[" + index + "]";
    try {
      List<List<MasterKey>> groups = new ArrayList<>();
      Object kg = r.get("key_groups");
      if (kg instanceof List<?> l && !l.isEmpty()) {
        for (Object g : l) {
          if (!(g instanceof Map<?, ?> gm)) {
            throw new SecretsException("key_groups entries must be mappings");
          }
          groups.add(groupKeys(gm));
        }
      } else {
        List<MasterKey> keys = new ArrayList<>();
        String profile = str(r.get("aws_profile"));
        for (String arn : list(r.get("kms"))) {
          keys.add(kmsFromArnString(arn, profile));
        }
        for (String fp : list(r.get("pgp"))) {
          keys.add(new MasterKey.Pgp(fp.replace(" ", ""), "", ""));
        }
        for (String rec : list(r.get("age"))) {
          Age.checkRecipient(rec);
          keys.add(new MasterKey.Age(rec, ""));
        }
        groups.add(keys);
      }
      if (groups.stream().allMatch(List::isEmpty)) {
        throw new SecretsException("the rule names no kms, age or pgp keys");
      }
      int threshold = r.get("shamir_threshold") instanceof Number n ? n.intValue() : 0;
      if (groups.size() > 1 && (threshold > groups.size())) {
        throw new SecretsException("shamir_threshold " + threshold + " exceeds the " + groups.size() + " key groups");
      }
      SopsMetadata.Rules rules = new SopsMetadata.Rules(str(r.get("unencrypted_suffix")), str(r.get("encrypted_suffix")),
          str(r.get("unencrypted_regex")), str(r.get("encrypted_regex")), str(r.get("unencrypted_comment_regex")),
          str(r.get("encrypted_comment_regex")), Boolean.TRUE.equals(r.get("mac_only_encrypted")));
      return new Rule(groups, groups.size() > 1 ? (threshold > 0 ? threshold : groups.size()) : 0, rules);
    } catch (SecretsException e) {
      throw new SecretsException(where + ": " + e.getMessage());
    }
  }

  private static List<MasterKey> groupKeys(Map<?, ?> g) {
    List<MasterKey> keys = new ArrayList<>();
    Object kms = g.get("kms");
    if (kms instanceof List<?> l) {
      for (Object o : l) {
        if (!(o instanceof Map<?, ?> km)) {
          throw new SecretsException("key_groups kms entries must be mappings with an arn");
        }
        Map<String, String> ctx = new LinkedHashMap<>();
        if (km.get("context") instanceof Map<?, ?> c) {
          c.forEach((k, v) -> ctx.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        }
        String arn = str(km.get("arn"));
        AwsKms.region(arn);
        keys.add(new MasterKey.Kms(arn, str(km.get("role")), ctx, str(km.get("aws_profile")), "", ""));
      }
    }
    for (String fp : list(g.get("pgp"))) {
      keys.add(new MasterKey.Pgp(fp.replace(" ", ""), "", ""));
    }
    for (String rec : list(g.get("age"))) {
      Age.checkRecipient(rec);
      keys.add(new MasterKey.Age(rec, ""));
    }
    return keys;
  }

  /** "arn[+role-arn]" as sops' NewMasterKeyFromArn. */
  static MasterKey.Kms kmsFromArnString(String s, String profile) {
    String arn = s.replace(" ", "");
    String role = "";
    int i = arn.indexOf("+arn:");
    if (i > 0) {
      role = arn.substring(i + 1);
      arn = arn.substring(0, i);
    }
    AwsKms.region(arn);
    return new MasterKey.Kms(arn, role, Map.of(), profile, "", "");
  }

  private static List<String> list(Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    } else if (v instanceof List<?> l) {
      for (Object o : l) {
        out.addAll(list(o == null ? "" : o.toString()));
      }
    }
    return out;
  }

  private static String str(Object o) {
    return o == null ? "" : o.toString();
  }
}
