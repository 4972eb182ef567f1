package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.AwsKms;
import io.stackpipe.secrets.core.MasterKey;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code sops:} section: key groups, MAC, lastmodified, the encryption selection rules and the version. Parsed as
 * sops' stores.metadata does (empty lists and nulls tolerated; no rule given means unencrypted_suffix "_unencrypted").
 */
public record SopsMetadata(List<List<MasterKey>> keyGroups, int shamirThreshold, String lastModified, String mac,
              Rules rules, String version) {

  public static final String SOPS_KEY = "sops";
  /** The sops version whose file format we write. */
  public static final String WRITER_VERSION = "3.11.0";

  /** Which leaves get encrypted, and which MAC variant. At most one of the six selectors is set. */
  public record Rules(String unencryptedSuffix, String encryptedSuffix, String unencryptedRegex, String encryptedRegex,
            String unencryptedCommentRegex, String encryptedCommentRegex, boolean macOnlyEncrypted) {
    public Rules {
      unencryptedSuffix = nz(unencryptedSuffix);
      encryptedSuffix = nz(encryptedSuffix);
      unencryptedRegex = nz(unencryptedRegex);
      encryptedRegex = nz(encryptedRegex);
      unencryptedCommentRegex = nz(unencryptedCommentRegex);
      encryptedCommentRegex = nz(encryptedCommentRegex);
      int set = 0;
      for (String s : List.of(unencryptedSuffix, encryptedSuffix, unencryptedRegex, encryptedRegex,
          unencryptedCommentRegex, encryptedCommentRegex)) {
        set += s.isEmpty() ? 0 : 1;
      }
      if (set > 1) {
        throw new SecretsException("cannot use more than one of encrypted_suffix, unencrypted_suffix, "
            + "encrypted_regex, unencrypted_regex, encrypted_comment_regex, unencrypted_comment_regex");
      }
      if (set == 0) {
        unencryptedSuffix = "_unencrypted";
      }
      String[][] regexes = {{"unencrypted_regex", unencryptedRegex}, {"encrypted_regex", encryptedRegex},
          {"unencrypted_comment_regex", unencryptedCommentRegex}, {"encrypted_comment_regex", encryptedCommentRegex}};
      for (String[] r : regexes) {
        if (!r[1].isEmpty()) {
          try {
            Tree.pattern(r[1]);
          } catch (java.util.regex.PatternSyntaxException e) {
            throw new SecretsException(r[0] + " is not a valid regular expression: " + e.getDescription());
          }
        }
      }
    }

    private static String nz(String s) {
      return s == null ? "" : s;
    }

  }

  public SopsMetadata {
    keyGroups = keyGroups.stream().map(List::copyOf).toList();
  }

  public OffsetDateTime lastModifiedTime() {
    return GoFormat.parseTime(lastModified);
  }

  /** The MAC's additional data: lastmodified re-formatted as Go's time.RFC3339, as sops does. */
  String macAad() {
    return GoFormat.rfc3339(lastModifiedTime());
  }

  /** The metadata checks of {@link SopsFile#checkStructure()}: version, MAC format, usable key groups. */
  void checkStructure() {
    if (version.isEmpty()) {
      throw new SecretsException("sops.version is missing");
    }
    if (mac.isEmpty()) {
      throw new SecretsException("sops.mac is missing");
    }
    ValueCipher.parse(mac, List.of("sops", "mac"));
    if (keyGroups.isEmpty() || keyGroups.stream().anyMatch(List::isEmpty)) {
      throw new SecretsException(keyGroups.size() > 1 ? "a sops key group has no keys" : "sops metadata names no keys");
    }
    if (keyGroups.size() > 1 && shamirThreshold > keyGroups.size()) {
      throw new SecretsException("sops.shamir_threshold " + shamirThreshold + " exceeds the " + keyGroups.size() + " key groups");
    }
    for (MasterKey k : allKeys()) {
      if (k.enc().isBlank() || k.enc().equals("null")) {
        throw new SecretsException(k.describe() + " has no wrapped data key (enc)");
      }
      if (k instanceof MasterKey.Kms kms) {
        AwsKms.region(kms.arn());
      } else if (k instanceof MasterKey.Age age) {
        Age.checkRecipient(age.recipient());
      } else if (k instanceof MasterKey.Pgp pgp && !pgp.fingerprint().matches("[0-9A-Fa-f]{16,40}")) {
        throw new SecretsException("pgp key '" + pgp.fingerprint() + "' is not a fingerprint");
      }
    }
  }

  public List<MasterKey> allKeys() {
    return keyGroups.stream().flatMap(List::stream).toList();
  }

  SopsMetadata withKeys(List<List<MasterKey>> groups, int threshold) {
    return new SopsMetadata(groups, threshold, lastModified, mac, rules, version);
  }

  // ---- parsing

  static SopsMetadata parse(Object node, Object file) {
    if (!(node instanceof Tree.Branch b)) {
      throw new SecretsException(file + ": the 'sops' entry is not a mapping");
    }
    Map<String, Object> m = Tree.toPlain(b);
    try {
      List<List<MasterKey>> groups = new ArrayList<>();
      Object kg = m.get("key_groups");
      if (kg instanceof List<?> l && !l.isEmpty()) {
        for (Object g : l) {
          groups.add(keysOf(asMap(g, "key_groups[]")));
        }
      } else {
        groups.add(keysOf(m));
      }
      int threshold = m.get("shamir_threshold") == null ? 0 : ((Number) m.get("shamir_threshold")).intValue();
      Rules rules = new Rules(str(m, "unencrypted_suffix"), str(m, "encrypted_suffix"), str(m, "unencrypted_regex"),
          str(m, "encrypted_regex"), str(m, "unencrypted_comment_regex"), str(m, "encrypted_comment_regex"),
          Boolean.TRUE.equals(m.get("mac_only_encrypted")));
      String lastModified = str(m, "lastmodified");
      if (lastModified.isEmpty()) {
        throw new SecretsException("sops.lastmodified is missing");
      }
      GoFormat.parseTime(lastModified);
      return new SopsMetadata(groups, threshold, lastModified, str(m, "mac"), rules, str(m, "version"));
    } catch (SecretsException e) {
      throw e.inFile(file);
    } catch (ClassCastException e) {
      throw new SecretsException(file + ": malformed sops metadata (" + e.getMessage() + ")");
    }
  }

  private static List<MasterKey> keysOf(Map<String, Object> m) {
    List<MasterKey> keys = new ArrayList<>();
    for (Map<String, Object> k : list(m, "kms")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> ctx = (Map<String, Object>) k.get("context");
      Map<String, String> context = new LinkedHashMap<>();
      if (ctx != null) {
        ctx.forEach((a, v) -> context.put(a, v == null ? "" : v.toString()));
      }
      keys.add(new MasterKey.Kms(str(k, "arn"), str(k, "role"), context, str(k, "aws_profile"), str(k, "enc"),
          str(k, "created_at")));
    }
    for (Map<String, Object> k : list(m, "pgp")) {
      keys.add(new MasterKey.Pgp(str(k, "fp"), str(k, "enc"), str(k, "created_at")));
    }
    for (Map<String, Object> k : list(m, "age")) {
      keys.add(new MasterKey.Age(str(k, "recipient"), str(k, "enc")));
    }
    for (String other : List.of("gcp_kms", "azure_kv", "hc_vault", "hckms")) {
      for (Map<String, Object> k : list(m, other)) {
        keys.add(new MasterKey.Other(other, k));
      }
    }
    return keys;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      throw new SecretsException("sops." + key + " is not a list");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : l) {
      out.add(asMap(o, key + "[]"));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o, String where) {
    if (!(o instanceof Map<?, ?>)) {
      throw new SecretsException("sops." + where + " is not a mapping");
    }
    return (Map<String, Object>) o;
  }

  private static String str(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return "";
    }
    if (v instanceof OffsetDateTime t) {
      return GoFormat.rfc3339(t);
    }
    return v.toString();
  }

  // ---- serializing (keys in the order current sops writes them: alphabetical, empty lists omitted)

  Tree.Branch toBranch() {
    TreeMap<String, Object> m = new TreeMap<>();
    if (keyGroups.size() == 1) {
      putKeys(m, keyGroups.get(0));
    } else {
      List<Object> groups = new ArrayList<>();
      for (List<MasterKey> g : keyGroups) {
        TreeMap<String, Object> gm = new TreeMap<>();
        putKeys(gm, g);
        groups.add(branchOf(gm));
      }
      m.put("key_groups", groups);
      m.put("shamir_threshold", (long) shamirThreshold);
    }
    m.put("lastmodified", lastModified);
    m.put("mac", mac);
    putIf(m, "unencrypted_suffix", rules.unencryptedSuffix());
    putIf(m, "encrypted_suffix", rules.encryptedSuffix());
    putIf(m, "unencrypted_regex", rules.unencryptedRegex());
    putIf(m, "encrypted_regex", rules.encryptedRegex());
    putIf(m, "unencrypted_comment_regex", rules.unencryptedCommentRegex());
    putIf(m, "encrypted_comment_regex", rules.encryptedCommentRegex());
    if (rules.macOnlyEncrypted()) {
      m.put("mac_only_encrypted", true);
    }
    m.put("version", version);
    return branchOf(m);
  }

  private static void putIf(Map<String, Object> m, String k, String v) {
    if (!v.isEmpty()) {
      m.put(k, v);
    }
  }

  private static void putKeys(Map<String, Object> m, List<MasterKey> keys) {
    List<Object> kms = new ArrayList<>();
    List<Object> pgp = new ArrayList<>();
    List<Object> age = new ArrayList<>();
    Map<String, List<Object>> others = new TreeMap<>();
    for (MasterKey k : keys) {
      TreeMap<String, Object> km = new TreeMap<>();
      if (k instanceof MasterKey.Kms x) {
        km.put("arn", x.arn());
        km.put("aws_profile", x.awsProfile());
        if (!x.context().isEmpty()) {
          km.put("context", branchOf(new TreeMap<>(x.context())));
        }
        km.put("created_at", x.createdAt());
        km.put("enc", x.enc());
        if (!x.role().isEmpty()) {
          km.put("role", x.role());
        }
        kms.add(branchOf(km));
      } else if (k instanceof MasterKey.Pgp x) {
        km.put("created_at", x.createdAt());
        km.put("enc", x.enc());
        km.put("fp", x.fingerprint());
        pgp.add(branchOf(km));
      } else if (k instanceof MasterKey.Age x) {
        km.put("enc", x.enc());
        km.put("recipient", x.recipient());
        age.add(branchOf(km));
      } else if (k instanceof MasterKey.Other x) {
        km.putAll(x.fields());
        others.computeIfAbsent(x.type(), t -> new ArrayList<>()).add(branchOf(km));
      }
    }
    if (!kms.isEmpty()) {
      m.put("kms", kms);
    }
    if (!pgp.isEmpty()) {
      m.put("pgp", pgp);
    }
    if (!age.isEmpty()) {
      m.put("age", age);
    }
    m.putAll(others);
  }

  private static Tree.Branch branchOf(Map<String, ?> m) {
    Tree.Branch b = new Tree.Branch();
    m.forEach((k, v) -> b.add(new Tree.Item(k, v)));
    return b;
  }
}
