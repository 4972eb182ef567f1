package io.stackpipe.secrets;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.Sealer;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.format.SopsMetadata;
import io.stackpipe.secrets.core.MasterKey;
import io.stackpipe.secrets.keys.SecretKeys;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code sops updatekeys} for every sops file under the given files/directories: when the keys of the file's matching
 * {@code .sops.yaml} creation rule differ from the file's, the existing data key is re-wrapped for the new key groups
 * (values, MAC and lastmodified stay as they are). Files whose keys already match are not touched.
 */
public final class SopsUpdateKeys {
  private final SecretKeys keys;
  private Optional<Path> config = Optional.empty();

  public SopsUpdateKeys(SecretKeys keys) {
    this.keys = keys;
  }

  public SopsUpdateKeys withConfig(Path sopsYaml) {
    config = Optional.of(sopsYaml);
    return this;
  }

  /** The files whose keys changed. */
  public List<Path> call(Collection<Path> filesOrDirs) {
    Map<Path, String> rewritten = new LinkedHashMap<>();
    for (Path f : SecretsFiles.find(filesOrDirs)) {
      SopsFile file = SopsFile.parse(f);
      CreationRules.Rule rule = CreationRules.ruleFor(f, config);
      if (sameKeys(file.metadata(), rule)) {
        continue;
      }
      try {
        // the MAC is checked too: never re-key a file that was tampered with
        byte[] dataKey = SopsDecrypt.dataKey(file, keys);
        Sealer.open(file, dataKey, false);
        List<List<MasterKey>> wrapped = keys.wrap(rule.keyGroups(), rule.shamirThreshold(), dataKey);
        rewritten.put(f, file.rekeyed(wrapped, rule.shamirThreshold()));
      } catch (SecretsException e) {
        throw e.getMessage().startsWith(f.toString()) ? e : e.inFile(f);
      }
    }
    rewritten.forEach(SecretsFiles::writeAtomically);
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

  private static Set<String> identities(List<MasterKey> keys) {
    Set<String> s = new TreeSet<>();
    keys.forEach(k -> s.add(k.identity()));
    return s;
  }
}
