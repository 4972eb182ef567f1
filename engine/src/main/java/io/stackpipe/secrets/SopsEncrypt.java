package io.stackpipe.secrets;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.Sealer;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.format.ValueCipher;
import io.stackpipe.secrets.core.MasterKey;
import io.stackpipe.secrets.keys.SecretKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Encrypts a plaintext YAML/JSON file like {@code sops -e}: keys and selection rules from the matching
 * {@code .sops.yaml} creation rule (the nearest one above the file unless {@link #withConfig} names one), a fresh data
 * key wrapped for every key (Shamir-split across key groups), every selected value encrypted with its path as AAD.
 */
public final class SopsEncrypt {
  private final SecretKeys keys;
  private Optional<Path> config = Optional.empty();

  public SopsEncrypt(SecretKeys keys) {
    this.keys = keys;
  }

  public SopsEncrypt withConfig(Path sopsYaml) {
    config = Optional.of(sopsYaml);
    return this;
  }

  /** The encrypted file's content; the plaintext file is left untouched. */
  public String call(Path plaintextFile) {
    SopsFile parsed = SopsFile.load(plaintextFile);
    if (parsed.isEncrypted()) {
      throw new SecretsException(plaintextFile + ": already encrypted by sops");
    }
    CreationRules.Rule rule = CreationRules.ruleFor(plaintextFile, config);
    byte[] dataKey = Sealer.newDataKey();
    try {
      List<List<MasterKey>> wrapped = keys.wrap(rule.keyGroups(), rule.shamirThreshold(), dataKey);
      return Sealer.seal(parsed.format(), parsed.documents(), wrapped, rule.shamirThreshold(), rule.rules(), dataKey,
          new ValueCipher());
    } catch (SecretsException e) {
      throw e.inFile(plaintextFile);
    }
  }

  /** Encrypts the file in place (like {@code sops -e -i}). */
  public void callInPlace(Path plaintextFile) {
    SecretsFiles.writeAtomically(plaintextFile, call(plaintextFile));
  }
}
