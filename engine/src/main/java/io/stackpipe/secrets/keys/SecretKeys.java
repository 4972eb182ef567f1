package io.stackpipe.secrets.keys;

import io.stackpipe.secrets.core.MasterKey;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.core.SecretsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one run may use to unwrap and wrap data keys (age identities, PGP keys, AWS KMS), plus the run's data-key
 * cache: a file's data key is unwrapped at most once per instance, however many threads ask for it. toString never
 * shows key material.
 */
public final class SecretKeys implements AutoCloseable {
  private final List<Age.Identity> ageIdentities;
  private final Pgp.Keyring pgp;
  private final AwsKms kms;
  private final Map<String, CompletableFuture<byte[]>> cache = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private SecretKeys(List<Age.Identity> age, Pgp.Keyring pgp, AwsKms kms) {
    this.ageIdentities = List.copyOf(age);
    this.pgp = pgp;
    this.kms = kms;
  }

  /** No age or PGP keys; KMS with nothing but the SDK's own credential lookup. */
  public static SecretKeys none() {
    return fromEnvironment(SecretsEnvironment.none());
  }

  /**
   * Age identities as sops finds them: SOPS_AGE_KEY (the keys themselves), SOPS_AGE_KEY_FILE, and the default
   * {@code $XDG_CONFIG_HOME/sops/age/keys.txt} (or {@code ~/.config/sops/age/keys.txt}); KMS settings from the same
   * environment.
   */
  public static SecretKeys fromEnvironment(SecretsEnvironment env) {
    List<Age.Identity> ids = new ArrayList<>();
    env.get("SOPS_AGE_KEY").ifPresent(inline -> ids.addAll(parseIdentities(inline, "SOPS_AGE_KEY")));
    env.get("SOPS_AGE_KEY_FILE").ifPresent(file -> ids.addAll(readIdentities(Path.of(file), "SOPS_AGE_KEY_FILE")));
    env.configHome().map(c -> c.resolve("sops/age/keys.txt")).filter(Files::isRegularFile)
        .ifPresent(dflt -> ids.addAll(readIdentities(dflt, dflt.toString())));
    return new SecretKeys(ids, Pgp.Keyring.empty(), AwsKms.fromEnvironment(env));
  }

  /**
   * The keys of an installation: its age identities (an age key file's content, or null) and KMS endpoint (or
   * null) given explicitly, over what {@code env} holds (sops' own variables and files, AWS credentials).
   */
  public static SecretKeys of(SecretsEnvironment env, String ageIdentities, java.net.URI kmsEndpoint) {
    List<Age.Identity> ids = new ArrayList<>();
    if (ageIdentities != null) {
      ids.addAll(parseIdentities(ageIdentities, "the installation's age key"));
    }
    SecretKeys fromEnv = fromEnvironment(env);
    ids.addAll(fromEnv.ageIdentities);
    AwsKms kms = kmsEndpoint == null ? fromEnv.kms : fromEnv.kms.withEndpoint(kmsEndpoint);
    return new SecretKeys(ids, Pgp.Keyring.empty(), kms);
  }

  public SecretKeys withAgeIdentities(List<Age.Identity> ids) {
    List<Age.Identity> all = new ArrayList<>(ageIdentities);
    all.addAll(ids);
    return new SecretKeys(all, pgp, kms);
  }

  /** Adds the identities of an age key file. */
  public SecretKeys withAgeKeyFile(Path file) {
    return withAgeIdentities(readIdentities(file, file.toString()));
  }

  /** Adds PGP secret or public keys from an armored key file (no passphrase). */
  public SecretKeys withPgpKeyFile(Path file) {
    try {
      return new SecretKeys(ageIdentities, pgp.add(Files.readString(file)), kms);
    } catch (IOException e) {
      throw new SecretsException("cannot read PGP key file " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  public SecretKeys withKms(AwsKms awsKms) {
    return new SecretKeys(ageIdentities, pgp, awsKms);
  }

  public AwsKms kms() {
    return kms;
  }

  private static List<Age.Identity> readIdentities(Path file, String source) {
    try {
      return parseIdentities(Files.readString(file), source);
    } catch (IOException e) {
      throw new SecretsException("cannot read age key file " + source + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static List<Age.Identity> parseIdentities(String text, String source) {
    try {
      return Age.Identity.parseAll(text);
    } catch (SecretsException e) {
      throw new SecretsException(source + ": " + e.getMessage());
    }
  }

  // ---- unwrapping

  /** The data key wrapped in these key groups, unwrapped at most once per instance for the same wrapped keys. */
  public byte[] dataKey(List<List<MasterKey>> keyGroups, int shamirThreshold) {
    String cacheKey = keyGroups.toString() + shamirThreshold;
    CompletableFuture<byte[]> mine = new CompletableFuture<>();
    CompletableFuture<byte[]> existing = cache.putIfAbsent(cacheKey, mine);
    if (existing == null) {
      try {
        mine.complete(unwrap(keyGroups, shamirThreshold));
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
      }
      existing = mine;
    }
    try {
      return existing.join().clone();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  private byte[] unwrap(List<List<MasterKey>> groups, int shamirThreshold) {
    List<String> failures = new ArrayList<>();
    List<byte[]> parts = new ArrayList<>();
    int needed = groups.size() > 1 ? (shamirThreshold > 0 ? shamirThreshold : groups.size()) : 1;
    for (int g = 0; g < groups.size() && parts.size() < needed; g++) {
      List<String> groupErrors = new ArrayList<>();
      byte[] part = null;
      for (MasterKey k : ordered(groups.get(g))) {
        try {
          part = unwrapOne(k);
          break;
        } catch (SecretsException e) {
          groupErrors.add(k.describe() + ": " + e.getMessage());
        }
      }
      if (part != null) {
        parts.add(part);
      } else {
        String prefix = groups.size() > 1 ? "group " + (g + 1) + ": " : "";
        if (groupErrors.isEmpty()) {
          groupErrors.add("no keys");
        }
        groupErrors.forEach(err -> failures.add(prefix + err));
      }
    }
    if (parts.size() < needed) {
      String what = groups.size() > 1
          ? "needs " + needed + " of " + groups.size() + " key groups, got " + parts.size()
          : "no key could unwrap the data key";
      throw new SecretsException("cannot get the data key (" + what + "): " + String.join("; ", failures));
    }
    return groups.size() > 1 ? Shamir.combine(parts) : parts.get(0);
  }

  /** Local keys first (age, then PGP), remote KMS last: cheap and offline when possible. */
  private static List<MasterKey> ordered(List<MasterKey> group) {
    List<MasterKey> out = new ArrayList<>(group);
    out.sort((a, b) -> Integer.compare(rank(a), rank(b)));
    return out;
  }

  private static int rank(MasterKey k) {
    return k instanceof MasterKey.Age ? 0 : k instanceof MasterKey.Pgp ? 1 : k instanceof MasterKey.Kms ? 2 : 3;
  }

  private byte[] unwrapOne(MasterKey k) {
    if (k instanceof MasterKey.Age a) {
      return Age.decrypt(a.enc(), ageIdentities);
    }
    if (k instanceof MasterKey.Pgp p) {
      if (pgp.isEmpty()) {
        throw new SecretsException("no PGP private key given");
      }
      return Pgp.decrypt(p.enc(), pgp);
    }
    if (k instanceof MasterKey.Kms m) {
      return kms.decrypt(m);
    }
    throw new SecretsException("key type not supported by stackpipe");
  }

  // ---- wrapping

  /** Wraps the data key (or its Shamir shares, one per group) for every key; all must succeed. */
  public List<List<MasterKey>> wrap(List<List<MasterKey>> groups, int threshold, byte[] dataKey) {
    if (groups.isEmpty() || groups.stream().allMatch(List::isEmpty)) {
      throw new SecretsException("no keys to encrypt the data key to: add kms, age or pgp keys");
    }
    List<byte[]> parts = groups.size() > 1
        ? Shamir.split(dataKey, groups.size(), threshold > 0 ? threshold : groups.size())
        : List.of(dataKey);
    // sops' created_at: RFC 3339 in UTC, whole seconds
    String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    List<List<MasterKey>> out = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      List<MasterKey> wrapped = new ArrayList<>();
      for (MasterKey k : groups.get(g)) {
        try {
          wrapped.add(k.withEnc(wrapOne(k, parts.get(g)), now));
        } catch (SecretsException e) {
          failures.add(k.describe() + ": " + e.getMessage());
        }
      }
      out.add(wrapped);
    }
    if (!failures.isEmpty()) {
      throw new SecretsException("cannot encrypt the data key: " + String.join("; ", failures));
    }
    return Collections.unmodifiableList(out);
  }

  private String wrapOne(MasterKey k, byte[] part) {
    if (k instanceof MasterKey.Age a) {
      return Age.encrypt(part, a.recipient());
    }
    if (k instanceof MasterKey.Pgp p) {
      return Pgp.encrypt(part, p.fingerprint(), pgp);
    }
    if (k instanceof MasterKey.Kms m) {
      return kms.encrypt(m, part);
    }
    throw new SecretsException("key type not supported for encryption");
  }

  /** Whether {@link #close()} ran (its KMS clients are released). */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    kms.close();
  }

  @Override
  public String toString() {
    return "SecretKeys[" + ageIdentities.size() + " age identities, " + pgp + "]";
  }
}
