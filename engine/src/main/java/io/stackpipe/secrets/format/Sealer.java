package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.MacMismatchException;
import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.core.MasterKey;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The two directions between plaintext documents and a sops file, given the data key: {@link #seal} encrypts values,
 * computes the MAC (AAD lastmodified) and writes the metadata; {@link #open} decrypts every value against its path
 * and verifies the MAC.
 */
public final class Sealer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Sealer() {
  }

  /** A decrypted file: the documents, the cipher that remembers each value's IV, and the secret paths and values. */
  public record Opened(List<Tree.Branch> documents, ValueCipher cipher, List<String> secretPaths, List<Object> secretValues) {
  }

  public static byte[] newDataKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /**
   * @param plainDocs   plaintext documents; encrypted in place
   * @param wrappedKeys key groups whose enc already wraps {@code dataKey}
   * @param cipher      a fresh cipher, or the one of {@link #open} so unchanged values keep their ciphertext
   */
  public static String seal(FileFormat format, List<Tree.Branch> plainDocs, List<List<MasterKey>> wrappedKeys, int threshold,
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

  /**
   * Decrypts a copy of the file's documents with its data key and checks the MAC; a missing or different MAC is
   * refused (field {@code ignoreMac}) unless {@code ignoreMac}.
   */
  public static Opened open(SopsFile file, byte[] dataKey, boolean ignoreMac) {
    SopsMetadata meta = file.metadata();
    ValueCipher cipher = new ValueCipher();
    List<Tree.Branch> docs = Tree.deepCopy(file.tree());
    List<String> paths = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    String computed;
    try {
      computed = Tree.decrypt(docs, meta.rules(), cipher, dataKey, (path, v) -> {
        paths.add(String.join(".", path));
        values.add(v);
      });
    } catch (SecretsException e) {
      throw e.inFile(file.path());
    }
    if (!ignoreMac) {
      verifyMac(file, meta, dataKey, computed);
    }
    return new Opened(docs, cipher, paths, values);
  }

  private static void verifyMac(SopsFile file, SopsMetadata meta, byte[] dataKey, String computed) {
    if (meta.mac().isEmpty()) {
      throw new MacMismatchException("the file has no MAC, so its integrity cannot be checked")
          .inFile(file.path());
    }
    Object stored;
    try {
      stored = new ValueCipher().decrypt(meta.mac(), dataKey, meta.macAad(), List.of("sops", "mac"));
    } catch (SecretsException e) {
      throw new MacMismatchException("the MAC cannot be decrypted: it or sops.lastmodified was altered").inFile(file.path());
    }
    if (!computed.equals(stored)) {
      throw new MacMismatchException("MAC mismatch: the file was modified after sops encrypted it "
          + "(values, unencrypted values or their order)").inFile(file.path());
    }
  }
}
