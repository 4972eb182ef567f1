package io.stackpipe.secrets;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.Sealer;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.keys.SecretKeys;
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
  private boolean ignoreMac;
  private int parallelism = 16;

  public SopsDecrypt(SecretKeys keys) {
    this.keys = keys;
  }

  public SopsDecrypt withIgnoreMac(boolean ignore) {
    ignoreMac = ignore;
    return this;
  }

  /** Threads for {@link #callAll} (KMS calls are I/O bound, so more than the core count helps). */
  public SopsDecrypt withParallelism(int threads) {
    parallelism = Math.max(1, threads);
    return this;
  }

  public DecryptedSecrets call(Path file) {
    return decrypt(SopsFile.parse(file));
  }

  /**
   * Decrypts encrypted text already in memory (a secrets file read from inside a chart archive); {@code file} names
   * it in messages and gives its format by extension. The plaintext never touches the disk.
   */
  public DecryptedSecrets call(Path file, String content) {
    SopsFile parsed = SopsFile.parse(file, content);
    if (parsed.metadata() == null) {
      throw new SecretsException(file + ": not a sops-encrypted file (no 'sops' metadata)");
    }
    return decrypt(parsed);
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

  private DecryptedSecrets decrypt(SopsFile file) {
    return new DecryptedSecrets(file.path(), file.format(), open(file, keys, ignoreMac));
  }

  /** Shared by decrypt, edit, rotate and updatekeys: the file's data key, its values decrypted, the MAC checked. */
  static Sealer.Opened open(SopsFile file, SecretKeys keys, boolean ignoreMac) {
    return Sealer.open(file, dataKey(file, keys), ignoreMac);
  }

  static byte[] dataKey(SopsFile file, SecretKeys keys) {
    try {
      return keys.dataKey(file.metadata().keyGroups(), file.metadata().shamirThreshold());
    } catch (SecretsException e) {
      throw e.inFile(file.path());
    }
  }
}
