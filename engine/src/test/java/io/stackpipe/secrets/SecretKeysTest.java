package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.local.SopsCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where keys come from (as sops reads them) and PGP encryption checked by sops with gpg. */
class SecretKeysTest {
  @TempDir
  Path dir;

  private Path encryptedFor(Age.Identity id) throws IOException {
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - age: " + id.recipient() + "\n");
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "k: v\n");
    new SopsEncrypt(SecretKeys.none()).callInPlace(f);
    return f;
  }

  @Test
  void readsSopsAgeKeyFileAndTheDefaultConfigPath() throws IOException {
    Age.Identity a = Age.Identity.generate();
    Age.Identity b = Age.Identity.generate();
    Path keyFile = Files.writeString(dir.resolve("a.txt"), "# created: now\n# public key: " + a.recipient() + "\n" + a.secretKey() + "\n");
    Path xdg = dir.resolve("xdg");
    Files.createDirectories(xdg.resolve("sops/age"));
    Files.writeString(xdg.resolve("sops/age/keys.txt"), b.secretKey() + "\n");
    Path f = encryptedFor(b);
    SecretKeys keys = SecretKeys.fromEnvironment(Map.of("SOPS_AGE_KEY_FILE", keyFile.toString(), "XDG_CONFIG_HOME", xdg.toString()));
    assertThat(new SopsDecrypt(keys).call(f).secretValues()).containsExactly("v");
    assertThat(keys.toString()).isEqualTo("SecretKeys[2 age identities, PGP keyring (0 secret, 0 public)]");
  }

  @Test
  void aBrokenIdentityNamesItsSourceNotItsContent() {
    assertThatThrownBy(() -> SecretKeys.fromEnvironment(Map.of("SOPS_AGE_KEY", "AGE-SECRET-KEY-1NOTAKEYATALLXYZ")))
        .hasMessageStartingWith("SOPS_AGE_KEY: malformed age identity")
        .hasMessageNotContaining("NOTAKEY");
  }

  @Test
  void pgpFilesWeEncryptDecryptWithSopsAndGpg() throws Exception {
    Path key = SopsVectorsTest.vectors().resolve("sops-functional/sops_functional_tests_key.asc");
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n");
    Path f = dir.resolve("pgp.yaml");
    Files.writeString(f, "token: pgp-protected\n");
    new SopsEncrypt(SecretKeys.none().withPgpKeyFile(key)).callInPlace(f);

    Path gnupg = Files.createDirectories(dir.resolve("gnupg"));
    Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    ProcessBuilder pb = new ProcessBuilder("gpg", "--batch", "--import", key.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("gpg2.log").toFile());
    pb.environment().put("GNUPGHOME", gnupg.toString());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("gpg2.log"))).isZero();
    try {
      String out = new SopsCli(dir, Map.of("GNUPGHOME", gnupg.toString())).run("--decrypt", f.toString()).orFail();
      assertThat(out).isEqualTo("token: pgp-protected\n");
    } finally {
      // gpg starts an agent for this GNUPGHOME: stop it rather than leave it running
      ProcessBuilder kill = new ProcessBuilder("gpgconf", "--kill", "all").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      kill.environment().put("GNUPGHOME", gnupg.toString());
      kill.start().waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(new SopsDecrypt(SecretKeys.none().withPgpKeyFile(key)).call(f).secretValues()).containsExactly("pgp-protected");
  }
}
