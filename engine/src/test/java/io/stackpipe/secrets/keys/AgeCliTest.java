package io.stackpipe.secrets.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.local.LocalTools;
import io.stackpipe.secrets.SopsDecrypt;
import io.stackpipe.secrets.SopsEncrypt;
import io.stackpipe.secrets.core.MasterKey;
import io.stackpipe.secrets.format.SopsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our age stanzas against Debian's age CLI, both ways. */
class AgeCliTest {
  @TempDir
  Path dir;

  private byte[] run(byte[] stdin, String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of(LocalTools.age().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("age.err").toFile()).start();
    try (var in = p.getOutputStream()) {
      in.write(stdin);
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("age.err"))).isZero();
    return out;
  }

  @Test
  void theAgeCliDecryptsTheDataKeyStanzasWeWrite() throws Exception {
    Age.Identity id = Age.Identity.generate();
    Path key = dir.resolve("key.txt");
    Files.writeString(key, id.secretKey() + "\n");
    byte[] dataKey = new byte[32];
    new SecureRandom().nextBytes(dataKey);
    String armored = Age.encrypt(dataKey, id.recipient());
    assertThat(run(armored.getBytes(), "--decrypt", "-i", key.toString())).isEqualTo(dataKey);
  }

  @Test
  void theStanzaInAFileWeEncryptUnwrapsWithTheCliToTheKeyOfItsValues() throws Exception {
    Age.Identity id = Age.Identity.generate();
    Path key = dir.resolve("key.txt");
    Files.writeString(key, id.secretKey() + "\n");
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - age: " + id.recipient() + "\n");
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "token: from-age-cli\n");
    new SopsEncrypt(SecretKeys.none()).callInPlace(f);
    MasterKey.Age stanza = (MasterKey.Age) SopsFile.parse(f).metadata().allKeys().get(0);
    byte[] dataKey = run(stanza.enc().getBytes(), "--decrypt", "-i", key.toString());
    SopsFile parsed = SopsFile.parse(f);
    assertThat(SecretKeys.none().withAgeIdentities(List.of(id)).dataKey(parsed.metadata().keyGroups(), 0)).isEqualTo(dataKey);
    assertThat(new SopsDecrypt(SecretKeys.none().withAgeIdentities(List.of(id))).call(f).secretValues()).containsExactly("from-age-cli");
  }

  @Test
  void weDecryptWhatTheAgeCliEncryptsToOurRecipient() throws Exception {
    Age.Identity id = Age.Identity.generate();
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    byte[] armored = run(secret, "--encrypt", "--armor", "-r", id.recipient());
    assertThat(Age.decrypt(new String(armored), List.of(Age.Identity.generate(), id))).isEqualTo(secret);
  }

  @Test
  void ourIdentitiesMatchTheRecipientsAgeKeygenDerives() throws Exception {
    Process p = new ProcessBuilder("/usr/bin/age-keygen").redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Map<String, String> fields = Map.of(
        "public", out.lines().filter(l -> l.startsWith("# public key: ")).findFirst().orElseThrow().substring(14),
        "secret", out.lines().filter(l -> l.startsWith("AGE-SECRET-KEY-")).findFirst().orElseThrow());
    assertThat(Age.Identity.parse(fields.get("secret")).recipient()).isEqualTo(fields.get("public"));
    assertThat(Age.Identity.parse(fields.get("secret")).secretKey()).isEqualTo(fields.get("secret"));
  }
}
