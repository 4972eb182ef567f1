package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.secrets.core.MacMismatchException;
import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of tampering is refused with a clear error naming the file (and the value where one is at fault). */
class TamperTest {
  static final String PLAIN = """
            alpha: first-secret
            beta: second-secret
            note_unencrypted: visible
            list:
                - one
                - two
            """;

  @TempDir
  Path dir;
  Path file;
  SecretKeys keys;

  @BeforeEach
  void encrypt() throws IOException {
    Age.Identity id = Age.Identity.generate();
    keys = SecretKeys.none().withAgeIdentities(List.of(id));
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - age: " + id.recipient() + "\n");
    file = dir.resolve("secrets.yaml");
    Files.writeString(file, PLAIN);
    new SopsEncrypt(keys).callInPlace(file);
    assertThat(new SopsDecrypt(keys).call(file).secretValues()).contains("first-secret");
  }

  private String content() throws IOException {
    return Files.readString(file);
  }

  private static String valueOf(String content, String key) {
    Matcher m = Pattern.compile("(?m)^" + key + ": (ENC\\[.*])$").matcher(content);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void aFlippedCiphertextByteIsRefusedNamingTheValue() throws IOException {
    String enc = valueOf(content(), "alpha");
    Matcher m = Pattern.compile("data:([^,]+),").matcher(enc);
    assertThat(m.find()).isTrue();
    byte[] data = Base64.getDecoder().decode(m.group(1));
    data[0] ^= 0x01;
    Files.writeString(file, content().replace(m.group(1), Base64.getEncoder().encodeToString(data)));
    assertThatThrownBy(() -> new SopsDecrypt(keys).call(file))
        .isInstanceOf(SecretsException.class)
        .hasMessage(file + ": value at alpha fails authentication (ciphertext altered, moved from another path, or wrong data key)");
  }

  @Test
  void valuesSwappedBetweenPathsAreRefusedByTheirAdditionalData() throws IOException {
    String c = content();
    String a = valueOf(c, "alpha");
    String b = valueOf(c, "beta");
    Files.writeString(file, c.replace(a, "@A@").replace(b, a).replace("@A@", b));
    assertThatThrownBy(() -> new SopsDecrypt(keys).call(file))
        .hasMessageContaining("value at alpha fails authentication");
  }

  @Test
  void anEditedUnencryptedValueIsCaughtByTheMac() throws IOException {
    Files.writeString(file, content().replace("note_unencrypted: visible", "note_unencrypted: changed"));
    assertThatThrownBy(() -> new SopsDecrypt(keys).call(file))
        .isInstanceOf(MacMismatchException.class)
        .hasMessageStartingWith(file + ": MAC mismatch");
  }

  @Test
  void reorderedListItemsAreCaughtByTheMac() throws IOException {
    String c = content();
    Matcher m = Pattern.compile("(?m)^ +- (ENC\\[.*])$").matcher(c);
    assertThat(m.find()).isTrue();
    String first = m.group(1);
    assertThat(m.find()).isTrue();
    String second = m.group(1);
    Files.writeString(file, c.replace(first, "@1@").replace(second, first).replace("@1@", second));
    assertThatThrownBy(() -> new SopsDecrypt(keys).call(file)).isInstanceOf(MacMismatchException.class);
  }

  @Test
  void aRemovedMacIsRefusedUnlessIgnored() throws IOException {
    Files.writeString(file, content().replaceAll("(?m)^    mac: .*\\n", ""));
    assertThatThrownBy(() -> new SopsDecrypt(keys).call(file))
        .isInstanceOf(MacMismatchException.class)
        .hasMessageContaining("no MAC");
    assertThat(new SopsDecrypt(keys).withIgnoreMac(true).call(file).secretValues()).contains("first-secret");
  }

  @Test
  void anAlteredLastModifiedInvalidatesTheMac() throws IOException {
    Files.writeString(file, content().replaceAll("lastmodified: \"[^\"]+\"", "lastmodified: \"2001-01-01T00:00:00Z\""));
    assertThatThrownBy(() -> new SopsDecrypt(keys).call(file))
        .isInstanceOf(MacMismatchException.class)
        .hasMessageContaining("sops.lastmodified");
  }

  @Test
  void aMacCopiedFromAnotherFileIsRefused() throws IOException {
    Path other = dir.resolve("other.yaml");
    Files.writeString(other, "alpha: x\n");
    new SopsEncrypt(keys).callInPlace(other);
    String otherMac = Pattern.compile("(?m)^    mac: (.*)$").matcher(Files.readString(other)).results().findFirst().orElseThrow().group(1);
    Files.writeString(file, content().replaceAll("(?m)^    mac: .*$", "    mac: " + Matcher.quoteReplacement(otherMac)));
    assertThatThrownBy(() -> new SopsDecrypt(keys).call(file)).isInstanceOf(MacMismatchException.class);
  }
}
