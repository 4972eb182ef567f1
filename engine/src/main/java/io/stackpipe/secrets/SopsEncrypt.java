package io.stackpipe.secrets;

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
  private final Optional<Path> config;

  public SopsEncrypt(SecretKeys keys) {
    this(keys, Optional.empty());
  }

  private SopsEncrypt(SecretKeys keys, Optional<Path> config) {
    this.keys = keys;
    this.config = config;
  }

  public SopsEncrypt withConfig(Path sopsYaml) {
    return new SopsEncrypt(keys, Optional.of(sopsYaml));
  }

  SopsEncrypt withConfigOpt(Optional<Path> sopsYaml) {
    return new SopsEncrypt(keys, sopsYaml);
  }

  /** The encrypted file's content; the plaintext file is left untouched. */
  public String call(Path plaintextFile) {
    String content = SopsFile.read(plaintextFile);
    SopsFile parsed = SopsFile.parse(plaintextFile, content);
    if (parsed.metadata() != null) {
      throw new SecretsException(plaintextFile + ": already encrypted by sops");
    }
    CreationRules.Rule rule = rules(plaintextFile).ruleFor(plaintextFile);
    return encrypt(plaintextFile, parsed.format(), parsed.documents(), rule);
  }

  /** Encrypts the file in place (like {@code sops -e -i}). */
  public void callInPlace(Path plaintextFile) {
    Sealer.writeAtomically(plaintextFile, call(plaintextFile));
  }

  String encrypt(Path file, FileFormat format, List<Tree.Branch> docs, CreationRules.Rule rule) {
    byte[] dataKey = Sealer.newDataKey();
    try {
      List<List<MasterKey>> wrapped = keys.wrap(rule.keyGroups(), rule.shamirThreshold(), dataKey);
      return Sealer.seal(format, docs, wrapped, rule.shamirThreshold(), rule.rules(), dataKey, new ValueCipher());
    } catch (SecretsException e) {
      throw e.inFile(file);
    }
  }

  CreationRules rules(Path file) {
    Path c = config.or(() -> CreationRules.find(file))
        .orElseThrow(() -> new SecretsException(file + ": no " + CreationRules.FILE_NAME + " found in its directory or above"));
    return CreationRules.load(c);
  }
}
