package io.stackpipe.secrets;

import io.stackpipe.secrets.keys.Age;
import io.stackpipe.local.SopsCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * sops files written at test time by the real sops CLI for fresh keys: the project's own conformance corpus needs
 * nothing beside the repository and commits no key or ciphertext.
 */
public final class SopsFixtures {
  private SopsFixtures() {
  }

  /** Fresh age identities and their key file in {@code dir}. */
  public record AgeKeys(List<Age.Identity> identities, Path keyFile) {
    public static AgeKeys create(Path dir, int count) {
      List<Age.Identity> ids = java.util.stream.Stream.generate(Age.Identity::generate).limit(count).toList();
      Path keyFile = write(dir.resolve("age-keys.txt"),
          String.join("\n", ids.stream().map(Age.Identity::secretKey).toList()) + "\n");
      return new AgeKeys(ids, keyFile);
    }

    public Age.Identity first() {
      return identities.get(0);
    }

    /** The real sops, reading these identities and nothing of the user's. */
    public SopsCli sops(Path workDir) {
      return new SopsCli(workDir, Map.of("SOPS_AGE_KEY_FILE", keyFile.toString()));
    }
  }

  /** Writes {@code dir/.sops.yaml} with one rule for every file, then {@code dir/name}, and has sops encrypt it in place. */
  public static Path sopsEncrypted(SopsCli sops, Path dir, String name, String plaintext, String ruleBody) {
    write(dir.resolve(".sops.yaml"), "creation_rules:\n  - path_regex: .*\n" + ruleBody);
    Path f = write(dir.resolve(name), plaintext);
    sops.run("--config", dir.resolve(".sops.yaml").toString(), "--encrypt", "--in-place", f.toString()).orFail();
    return f;
  }

  /** A private GnuPG home holding a fresh RSA key pair without passphrase; closing it stops gpg's agent. */
  public record GpgKey(Path home, String fingerprint, Path armoredSecretKey) implements AutoCloseable {
    public static GpgKey create(Path dir) {
      try {
        Path home = Files.createDirectories(dir.resolve("gnupg"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        String uid = "Stackpipe Test <test@stackpipe.invalid>";
        gpg(home, "--quick-gen-key", uid, "rsa2048", "cert,sign", "never");
        String fpr = gpg(home, "--with-colons", "--list-secret-keys", uid).lines().filter(l -> l.startsWith("fpr:"))
            .findFirst().orElseThrow().split(":")[9];
        gpg(home, "--quick-add-key", fpr, "rsa2048", "encr", "never");
        Path armored = write(dir.resolve("pgp-secret.asc"), gpg(home, "--armor", "--export-secret-keys", fpr));
        return new GpgKey(home, fpr, armored);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The environment that makes sops use this key ring. */
    public Map<String, String> env() {
      return Map.of("GNUPGHOME", home.toString());
    }

    @Override
    public void close() {
      try {
        ProcessBuilder kill = new ProcessBuilder("gpgconf", "--kill", "all").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        kill.environment().put("GNUPGHOME", home.toString());
        kill.start().waitFor(30, TimeUnit.SECONDS);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String gpg(Path home, String... args) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", ""));
    cmd.addAll(List.of(args));
    Path err = home.resolve("gpg.err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
    pb.environment().put("GNUPGHOME", home.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("gpg " + args[0] + " failed: " + Files.readString(err));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    return out;
  }

  public static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
