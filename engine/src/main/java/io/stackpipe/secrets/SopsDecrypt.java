package io.stackpipe.secrets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decrypts sops files as {@code sops -d} does: data key from the key groups (once per file per {@link SecretKeys}),
 * every value checked against its path, and the MAC verified — a mismatch or missing MAC is refused unless
 * {@link #withIgnoreMac} is set. {@link #callAll} decrypts many files in parallel.
 */
public final class SopsDecrypt {
  private final SecretKeys keys;
  private final boolean ignoreMac;
  private final int parallelism;

  public SopsDecrypt(SecretKeys keys) {
    this(keys, false, 16);
  }

  private SopsDecrypt(SecretKeys keys, boolean ignoreMac, int parallelism) {
    this.keys = keys;
    this.ignoreMac = ignoreMac;
    this.parallelism = parallelism;
  }

  public SopsDecrypt withIgnoreMac(boolean ignore) {
    return new SopsDecrypt(keys, ignore, parallelism);
  }

  /** Threads for {@link #callAll} (KMS calls are I/O bound, so more than the core count helps). */
  public SopsDecrypt withParallelism(int threads) {
    return new SopsDecrypt(keys, ignoreMac, Math.max(1, threads));
  }

  public DecryptedSecrets call(Path file) {
    return decrypt(SopsFile.parse(file));
  }

  /** Decrypts all files in parallel; after all have finished, the first failure (in input order) is thrown with the others suppressed in it. */
  public List<DecryptedSecrets> callAll(Collection<Path> files) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, files.size())), r -> {
      Thread t = new Thread(r, "stackpipe-secrets");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<DecryptedSecrets>> futures = new ArrayList<>();
      for (Path f : files) {
        futures.add(pool.submit(() -> call(f)));
      }
      List<DecryptedSecrets> out = new ArrayList<>();
      RuntimeException first = null;
      for (Future<DecryptedSecrets> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
              : new SecretsException(e.getCause().getClass().getSimpleName());
          if (first == null) {
            first = cause;
          } else {
            first.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SecretsException("interrupted while decrypting");
        }
      }
      if (first != null) {
        throw first;
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  DecryptedSecrets decrypt(SopsFile file) {
    Result r = decryptTree(file, keys, ignoreMac);
    return new DecryptedSecrets(file.path(), file.format(), r.documents(), r.secretPaths(),
        DecryptedSecrets.collectSecretValues(r.secretValues()));
  }

  record Result(List<Tree.Branch> documents, byte[] dataKey, ValueCipher cipher, List<String> secretPaths, List<Object> secretValues) {
  }

  /** Shared by decrypt, edit and rotate: the decrypted documents plus the data key and the IV-remembering cipher. */
  static Result decryptTree(SopsFile file, SecretKeys keys, boolean ignoreMac) {
    SopsMetadata meta = file.metadata();
    byte[] dataKey;
    try {
      dataKey = keys.dataKey(meta);
    } catch (SecretsException e) {
      throw e.inFile(file.path());
    }
    ValueCipher cipher = new ValueCipher();
    List<Tree.Branch> docs = Tree.deepCopy(file.documents());
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
    return new Result(docs, dataKey, cipher, paths, values);
  }

  private static void verifyMac(SopsFile file, SopsMetadata meta, byte[] dataKey, String computed) {
    if (meta.mac().isEmpty()) {
      throw new MacMismatchException("the file has no MAC, so its integrity cannot be checked (use --ignore-mac to decrypt anyway)")
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
