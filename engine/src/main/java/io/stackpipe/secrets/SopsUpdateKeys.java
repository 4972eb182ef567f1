package io.stackpipe.secrets;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code sops updatekeys} for every sops file under the given files/directories: when the keys of the file's matching
 * {@code .sops.yaml} creation rule differ from the file's, the existing data key is re-wrapped for the new key groups
 * (values, MAC and lastmodified stay as they are). Files whose keys already match are not touched.
 */
public final class SopsUpdateKeys {
  private final SecretKeys keys;
  private final Optional<Path> config;

  public SopsUpdateKeys(SecretKeys keys) {
    this(keys, Optional.empty());
  }

  private SopsUpdateKeys(SecretKeys keys, Optional<Path> config) {
    this.keys = keys;
    this.config = config;
  }

  public SopsUpdateKeys withConfig(Path sopsYaml) {
    return new SopsUpdateKeys(keys, Optional.of(sopsYaml));
  }

  /** The files whose keys changed. */
  public List<Path> call(Collection<Path> filesOrDirs) {
    Map<Path, String> rewritten = new LinkedHashMap<>();
    for (Path f : SecretsFiles.find(filesOrDirs)) {
      SopsFile file = SopsFile.parse(f);
      CreationRules.Rule rule = new SopsEncrypt(keys).withConfigOpt(config).rules(f).ruleFor(f);
      if (sameKeys(file.metadata(), rule)) {
        continue;
      }
      try {
        // the MAC is checked too: never re-key a file that was tampered with
        SopsDecrypt.Result r = SopsDecrypt.decryptTree(file, keys, false);
        List<List<MasterKey>> wrapped = keys.wrap(rule.keyGroups(), rule.shamirThreshold(), r.dataKey());
        rewritten.put(f, SopsFile.emit(file.format(), file.documents(), file.metadata().withKeys(wrapped, rule.shamirThreshold())));
      } catch (SecretsException e) {
        throw e.getMessage().startsWith(f.toString()) ? e : e.inFile(f);
      }
    }
    rewritten.forEach(Sealer::writeAtomically);
    return List.copyOf(rewritten.keySet());
  }

  private static boolean sameKeys(SopsMetadata meta, CreationRules.Rule rule) {
    if (meta.keyGroups().size() != rule.keyGroups().size()
        || (meta.keyGroups().size() > 1 && meta.shamirThreshold() != rule.shamirThreshold())) {
      return false;
    }
    for (int i = 0; i < meta.keyGroups().size(); i++) {
      if (!identities(meta.keyGroups().get(i)).equals(identities(rule.keyGroups().get(i)))) {
        return false;
      }
    }
    return true;
  }

  private static java.util.Set<String> identities(List<MasterKey> keys) {
    java.util.Set<String> s = new java.util.TreeSet<>();
    keys.forEach(k -> s.add(k.identity()));
    return s;
  }
}
