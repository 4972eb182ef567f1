package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.secrets.core.MacMismatchException;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.local.SopsCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-exact against the real sops: random documents (see {@link RandomDocuments}) are encrypted by sops under every
 * kind of creation rule, and what Stackpipe prints for the whole file and for a random {@code --extract} path must be
 * what {@code sops -d} prints, byte for byte. The base seed is printed; replay a run with
 * {@code -Dstackpipe.sops.seed=SEED} and change its size with {@code -Dstackpipe.sops.count=N}.
 */
class SopsDifferentialTest {
  static final int COUNT = Integer.getInteger("stackpipe.sops.count", 200);
  static final long SEED = Long.getLong("stackpipe.sops.seed", new Random().nextLong());
  /** -Dstackpipe.sops.verbose=true prints the input and both outputs of each differing document. */
  static final boolean VERBOSE = Boolean.getBoolean("stackpipe.sops.verbose");

  /** Creation rules sops encrypts under ({@code %1$s}..{@code %3$s}: the three age recipients). */
  static final List<String> RULES = List.of(
      "    age: %1$s\n",
      "    age: %1$s\n    encrypted_regex: ^(password|token|data|list|items|name)\n",
      "    age: %1$s\n    unencrypted_suffix: _clear\n",
      "    age: %1$s\n    encrypted_regex: ^(password|secret_key|pass_secret|db|value)\n    mac_only_encrypted: true\n",
      "    shamir_threshold: 2\n    key_groups:\n      - age: [%1$s]\n      - age: [%2$s]\n      - age: [%3$s]\n");

  @TempDir
  Path dir;

  record Outcome(int index, String problem) {
  }

  @Test
  void decryptAndExtractPrintExactlyWhatSopsPrints() throws Exception {
    System.out.println("SopsDifferentialTest: " + COUNT + " documents, seed " + SEED
        + " (replay with -Dstackpipe.sops.seed=" + SEED + " -Dstackpipe.sops.count=" + COUNT + ")");
    SopsFixtures.AgeKeys age = SopsFixtures.AgeKeys.create(dir, 3);
    SopsCli sops = age.sops(dir);
    SecretKeys keys = SecretKeys.none().withAgeIdentities(age.identities());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Outcome>> results = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) {
        int index = i;
        results.add(pool.submit(() -> check(index, sops, keys, age)));
      }
      List<String> problems = new ArrayList<>();
      for (Future<Outcome> f : results) {
        Outcome o = f.get();
        if (o != null) {
          problems.add("document " + o.index() + " (seed " + (SEED + o.index()) + "): " + o.problem());
        }
      }
      problems.stream().limit(VERBOSE ? 1000 : 15).forEach(System.out::println);
      assertThat(problems).as("documents whose output differs from sops -d (seed " + SEED + ")").isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  private Outcome check(int index, SopsCli sops, SecretKeys keys, SopsFixtures.AgeKeys age) {
    long seed = SEED + index;
    Random random = new Random(seed);
    boolean json = random.nextInt(10) < 3;
    String doc = json ? RandomDocuments.json(seed) : RandomDocuments.yaml(seed);
    String rule = RULES.get(random.nextInt(RULES.size())).formatted(age.identities().get(0).recipient(),
        age.identities().get(1).recipient(), age.identities().get(2).recipient());
    Path sub = dir.resolve("d" + index);
    SopsCli.Result encrypted;
    Path file;
    try {
      SopsFixtures.write(sub.resolve(".sops.yaml"), "creation_rules:\n  - path_regex: .*\n" + rule);
      file = SopsFixtures.write(sub.resolve(json ? "secrets.json" : "secrets.yaml"), doc);
      encrypted = sops.run("--config", sub.resolve(".sops.yaml").toString(), "--encrypt", "--in-place", file.toString());
    } catch (RuntimeException e) {
      return new Outcome(index, "setup failed: " + e);
    }
    if (encrypted.exitCode() != 0) {
      return new Outcome(index, "sops refused the generated document: " + encrypted.stderr().strip() + "\n" + doc);
    }
    SopsCli.Result decrypted = sops.run("--decrypt", file.toString());
    DecryptedSecrets ours;
    try {
      ours = new SopsDecrypt(keys).call(file);
    } catch (MacMismatchException e) {
      // sops 3.11 writes some files whose MAC it then refuses itself (see docs/secrets.md): refusing them is the same output
      return decrypted.exitCode() != 0 && decrypted.stderr().contains("MAC mismatch") ? null
          : new Outcome(index, "stackpipe refused a file sops decrypts: " + e.getMessage() + "\n" + doc);
    } catch (RuntimeException e) {
      return new Outcome(index, "stackpipe failed: " + e.getMessage() + "\n" + doc);
    }
    if (decrypted.exitCode() != 0) {
      return new Outcome(index, "sops refuses a file stackpipe decrypts: " + decrypted.stderr().strip() + "\n" + doc);
    }
    String theirs = decrypted.stdout();
    if (!ours.plaintext().equals(theirs)) {
      return new Outcome(index, "decrypt differs " + firstDifference(theirs, ours.plaintext())
          + (VERBOSE ? "\n--- input\n" + doc + "--- sops -d\n" + theirs + "--- stackpipe\n" + ours.plaintext() : ""));
    }
    String path = randomPath(ours.documents().get(0), random);
    if (path != null) {
      SopsCli.Result extracted = sops.run("--decrypt", "--extract", path, file.toString());
      String mine;
      try {
        mine = ours.extract(path);
      } catch (RuntimeException e) {
        mine = "failed: " + e.getMessage();
      }
      if (extracted.exitCode() != 0 || !mine.equals(extracted.stdout())) {
        return new Outcome(index, "--extract " + path + " differs: sops " + show(extracted.exitCode() == 0
            ? extracted.stdout() : "exit " + extracted.exitCode() + " " + extracted.stderr()) + " stackpipe " + show(mine));
      }
    }
    return null;
  }

  /** A random existing path in sops' --extract syntax, or null for an empty document. */
  @SuppressWarnings("unchecked")
  private static String randomPath(Object node, Random random) {
    StringBuilder path = new StringBuilder();
    Object cur = node;
    while (true) {
      if (cur instanceof Map<?, ?> m && !m.isEmpty() && (path.length() == 0 || random.nextInt(3) > 0)) {
        List<String> keys = new ArrayList<>((java.util.Set<String>) m.keySet());
        String k = keys.get(random.nextInt(keys.size()));
        path.append("[\"").append(k).append("\"]");
        cur = m.get(k);
      } else if (cur instanceof List<?> l && !l.isEmpty() && random.nextInt(3) > 0) {
        int i = random.nextInt(l.size());
        path.append('[').append(i).append(']');
        cur = l.get(i);
      } else {
        return path.length() == 0 ? null : path.toString();
      }
    }
  }

  private static String firstDifference(String expected, String actual) {
    String[] e = expected.split("\n", -1);
    String[] a = actual.split("\n", -1);
    for (int i = 0; i < Math.max(e.length, a.length); i++) {
      String el = i < e.length ? e[i] : "<end>";
      String al = i < a.length ? a[i] : "<end>";
      if (!el.equals(al)) {
        return "at line " + (i + 1) + ": sops " + show(el) + " stackpipe " + show(al);
      }
    }
    return "(same lines)";
  }

  private static String show(String s) {
    StringBuilder sb = new StringBuilder("«");
    s.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        sb.append(String.format("\\x%02X", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.append('»').toString();
  }
}
