package io.stackpipe.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

/** Encrypts plaintext documents into a complete sops file: values, MAC (AAD lastmodified) and metadata. */
final class Sealer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Sealer() {
  }

  static byte[] newDataKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /**
   * @param plainDocs   plaintext documents; encrypted in place
   * @param wrappedKeys key groups whose enc already wraps {@code dataKey}
   */
  static String seal(FileFormat format, List<Tree.Branch> plainDocs, List<List<MasterKey>> wrappedKeys, int threshold,
            SopsMetadata.Rules rules, byte[] dataKey, ValueCipher cipher) {
    for (Tree.Branch b : plainDocs) {
      if (b.has(SopsMetadata.SOPS_KEY)) {
        throw new SecretsException("the document already has a 'sops' key (already encrypted, or a reserved name)");
      }
    }
    String mac = Tree.encrypt(plainDocs, rules, cipher, dataKey);
    String lastModified = GoFormat.rfc3339(OffsetDateTime.now(ZoneOffset.UTC));
    String encMac = new ValueCipher().encrypt(mac, dataKey, lastModified);
    SopsMetadata meta = new SopsMetadata(wrappedKeys, threshold, lastModified, encMac, rules, SopsMetadata.WRITER_VERSION);
    return SopsFile.emit(format, plainDocs, meta);
  }

  /** Replaces the file atomically, keeping its permissions (a crash never leaves half a file). */
  static void writeAtomically(Path file, String content) {
    Path tmp = null;
    try {
      Path dir = file.toAbsolutePath().getParent();
      tmp = Files.createTempFile(dir, ".stackpipe-", ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      if (Files.exists(file)) {
        try {
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
          Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException e) {
          // non-POSIX file system: keep defaults
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (IOException e) {
      throw new SecretsException(file + ": cannot write (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // nothing secret in it: only ciphertext is ever written here
        }
      }
    }
  }
}
