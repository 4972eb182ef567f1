package io.stackpipe.secrets;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.Sealer;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.format.SopsMetadata;
import io.stackpipe.secrets.format.ValueCipher;
import io.stackpipe.secrets.core.MasterKey;
import io.stackpipe.secrets.keys.SecretKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rotates the data key of every sops file under the given files/directories in one call: each file is decrypted (MAC
 * checked), gets a fresh data key wrapped for the same keys, and every value is re-encrypted. All files are prepared
 * before any is written, so a file that cannot be decrypted leaves every file unchanged.
 */
public final class SopsRotate {
  private final SecretKeys keys;

  public SopsRotate(SecretKeys keys) {
    this.keys = keys;
  }

  /** The rotated files. */
  public List<Path> call(Collection<Path> filesOrDirs) {
    Map<Path, String> rewritten = new LinkedHashMap<>();
    for (Path f : SecretsFiles.find(filesOrDirs)) {
      rewritten.put(f, rotate(SopsFile.parse(f)));
    }
    rewritten.forEach(SecretsFiles::writeAtomically);
    return new ArrayList<>(rewritten.keySet());
  }

  private String rotate(SopsFile file) {
    Sealer.Opened plain = SopsDecrypt.open(file, keys, false);
    SopsMetadata meta = file.metadata();
    byte[] dataKey = Sealer.newDataKey();
    try {
      List<List<MasterKey>> wrapped = keys.wrap(meta.keyGroups(), meta.shamirThreshold(), dataKey);
      return Sealer.seal(file.format(), plain.documents(), wrapped, meta.shamirThreshold(), meta.rules(), dataKey, new ValueCipher());
    } catch (SecretsException e) {
      throw e.inFile(file.path());
    }
  }
}
