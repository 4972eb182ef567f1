package io.stackpipe.secrets.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.SopsDecrypt;
import io.stackpipe.secrets.SopsEncrypt;
import io.stackpipe.secrets.SopsFixtures;
import io.stackpipe.local.SopsCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
    SecretKeys keys = SecretKeys.fromEnvironment(SecretsEnvironment.of(
        Map.of("SOPS_AGE_KEY_FILE", keyFile.toString(), "XDG_CONFIG_HOME", xdg.toString()), null));
    assertThat(new SopsDecrypt(keys).call(f).secretValues()).containsExactly("v");
    assertThat(keys.toString()).isEqualTo("SecretKeys[2 age identities, PGP keyring (0 secret, 0 public)]");
  }

  @Test
  void theDefaultKeyFileIsFoundUnderTheHomeGivenNotTheProcessHome() throws IOException {
    Age.Identity c = Age.Identity.generate();
    Path home = dir.resolve("home");
    SopsFixtures.write(home.resolve(".config/sops/age/keys.txt"), c.secretKey() + "\n");
    Path f = encryptedFor(c);
    SecretKeys keys = SecretKeys.fromEnvironment(SecretsEnvironment.of(Map.of(), home));
    assertThat(new SopsDecrypt(keys).call(f).secretValues()).containsExactly("v");
    assertThat(SecretKeys.fromEnvironment(SecretsEnvironment.none()).toString()).startsWith("SecretKeys[0 age identities");
  }

  @Test
  void aBrokenIdentityNamesItsSourceNotItsContent() {
    assertThatThrownBy(() -> SecretKeys.fromEnvironment(SecretsEnvironment.of(Map.of("SOPS_AGE_KEY", "AGE-SECRET-KEY-1NOTAKEYATALLXYZ"), null)))
        .hasMessageStartingWith("SOPS_AGE_KEY: malformed age identity")
        .hasMessageNotContaining("NOTAKEY");
  }

  @Test
  void pgpFilesWeEncryptDecryptWithSopsAndGpg() throws Exception {
    try (SopsFixtures.GpgKey gpg = SopsFixtures.GpgKey.create(dir)) {
      Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - pgp: " + gpg.fingerprint() + "\n");
      Path f = dir.resolve("pgp.yaml");
      Files.writeString(f, "token: pgp-protected\n");
      SecretKeys keys = SecretKeys.none().withPgpKeyFile(gpg.armoredSecretKey());
      new SopsEncrypt(keys).callInPlace(f);
      assertThat(new SopsCli(dir, gpg.env()).run("--decrypt", f.toString()).orFail()).isEqualTo("token: pgp-protected\n");
      assertThat(new SopsDecrypt(keys).call(f).secretValues()).containsExactly("pgp-protected");

      Path theirs = SopsFixtures.sopsEncrypted(new SopsCli(dir, gpg.env()), dir.resolve("theirs"), "pgp.yaml",
          "token: from-sops\n", "    pgp: " + gpg.fingerprint() + "\n");
      assertThat(new SopsDecrypt(keys).call(theirs).secretValues()).containsExactly("from-sops");
    }
  }
}
