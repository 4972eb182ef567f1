package io.stackpipe.secrets.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.SopsFixtures;
import io.stackpipe.local.SopsCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What chart builds use without any key: the encrypted check, the structure check and the keys with placeholders. */
class SopsFileTest {
  static final String CANARY = "CANARY-structure-check-value";

  @TempDir
  Path dir;
  SopsCli sops;
  String ageRule;

  @BeforeEach
  void keys() {
    SopsFixtures.AgeKeys keys = SopsFixtures.AgeKeys.create(dir, 1);
    sops = keys.sops(dir);
    ageRule = "    age: " + keys.first().recipient() + "\n";
  }

  Path bySops(String name, String plaintext, String extraRule) {
    return SopsFixtures.sopsEncrypted(sops, dir, name, plaintext, ageRule + extraRule);
  }

  @Nested
  class IsEncrypted {
    @Test
    void recognisesYamlAndJsonFilesWrittenBySops() {
      assertThat(SopsFile.isEncrypted(bySops("s.yaml", "a: b\n", ""))).isTrue();
      assertThat(SopsFile.isEncrypted(bySops("s.json", "{\"a\": \"b\"}\n", ""))).isTrue();
    }

    @Test
    void isFalseForPlaintextInvalidOrMissingFiles() throws IOException {
      Path plain = Files.writeString(dir.resolve("values.yaml"), "sops: is just a key here\n");
      Path broken = Files.writeString(dir.resolve("broken.yaml"), "a: [unclosed\nsops:\n");
      assertThat(SopsFile.isEncrypted(plain)).isFalse();
      assertThat(SopsFile.isEncrypted(broken)).isFalse();
      assertThat(SopsFile.isEncrypted(dir.resolve("missing.yaml"))).isFalse();
    }
  }

  @Nested
  class KeyStructure {
    @Test
    void replacesOnlyEncryptedValuesWithPlaceholders() {
      SopsFile f = SopsFile.parse(bySops("secret.yaml", """
          apiVersion: v1
          kind: Secret
          metadata:
              name: global-age-secret
              namespace: default
          stringData:
              key: value
          """, "    encrypted_regex: ^(data|stringData)$\n"));
      List<Map<String, Object>> docs = f.keyStructure(p -> "<secret:" + p + ">");
      assertThat(docs.get(0)).containsEntry("kind", "Secret")
          .containsEntry("metadata", Map.of("name", "global-age-secret", "namespace", "default"))
          .containsEntry("stringData", Map.of("key", "<secret:stringData.key>"))
          .doesNotContainKey("sops");
      assertThat(f.encryptedPaths()).containsExactly("stringData.key");
    }

    @Test
    void keepsListsAndNesting() {
      SopsFile f = SopsFile.parse(bySops("nested.yaml", "test_key: a\na_list: [b, c]\nnested:\n    test:\n        file: d\n", ""));
      assertThat(f.keyStructure(p -> "x").get(0)).isEqualTo(Map.of("test_key", "x", "a_list", List.of("x", "x"),
          "nested", Map.of("test", Map.of("file", "x"))));
    }
  }

  /** A malformed file is refused without any key, naming the file and the key path but never the value. */
  @Nested
  class CheckStructure {
    Path file;
    String content;
    String password;

    @BeforeEach
    void sopsFile() throws IOException {
      file = bySops("secrets.yaml", "db:\n    password: " + CANARY + "\n    port: 5432\nnote_unencrypted: clear\n", "");
      content = Files.readString(file);
      Matcher m = Pattern.compile("password: (ENC\\[[^\\]]+])").matcher(content);
      assertThat(m.find()).isTrue();
      password = m.group(1);
    }

    void assertRefused(String edited, String... messageParts) throws IOException {
      Files.writeString(file, edited);
      assertThatThrownBy(() -> SopsFile.parse(file).checkStructure())
          .isInstanceOf(SecretsException.class)
          .hasMessageStartingWith(file + ": ")
          .hasMessageContainingAll(messageParts)
          .hasMessageNotContaining(CANARY)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aFileWrittenBySopsPasses() {
      assertThat(SopsFile.parse(file).checkStructure().encryptedPaths()).containsExactly("db.password", "db.port");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        bad base64 in data | data:([^,]+),  | data:@@notbase64@@,      | invalid base64 in its data field
        missing iv         | ,iv:[^,]+      | ''                        | not in sops' ENC[AES256_GCM
        short iv           | iv:[^,]+,      | iv:AAAAAAAAAAAAAAAA,      | 12-byte iv (sops uses 32)
        short tag          | tag:[^,]+,     | tag:AAAA,                 | 3-byte tag (AES-GCM uses 16)
        missing tag        | ,tag:[^,]+     | ''                        | not in sops' ENC[AES256_GCM
        unknown type       | type:str]      | type:secret]              | unknown type 'secret'
        missing type       | ,type:str]     | ]                         | not in sops' ENC[AES256_GCM
        """)
    void aMalformedValueIsRefusedNamingItsPath(String name, String regex, String replacement, String reason) throws IOException {
      String broken = password.replaceFirst(regex, Matcher.quoteReplacement(replacement));
      assertRefused(content.replace(password, broken), "value at db.password", reason);
    }

    @Test
    void aValueLeftInClearWhereTheRulesEncryptIsRefused() throws IOException {
      assertRefused(content.replaceFirst("port: ENC\\[[^\\]]+]", "port: 5432"),
          "value at db.port should be encrypted but is a plain Long");
    }

    @Test
    void brokenMetadataIsRefused() throws IOException {
      assertRefused(content.replaceAll("(?m)^    mac: .*\\n", ""), "sops.mac is missing");
      assertRefused(content.replaceAll("(?m)^    mac: ENC\\[AES256_GCM,data:", "    mac: ENC[AES256_GCM,data:%%"),
          "value at sops.mac has invalid base64");
      assertRefused(content.replaceAll("(?m)^    version: .*\\n", ""), "sops.version is missing");
      assertRefused(content.replaceAll("(?ms)^    age:\\n.*?(?=^    lastmodified)", ""), "sops metadata names no keys");
      assertRefused(content.replaceAll("recipient: age1", "recipient: agx1"), "malformed age recipient");
    }
  }

  @Test
  void parseRefusesAPlaintextFileNamingIt() throws IOException {
    Path plain = Files.writeString(dir.resolve("values.yaml"), "a: b\n");
    assertThatThrownBy(() -> SopsFile.parse(plain)).hasMessage(plain + ": not a sops-encrypted file (no 'sops' metadata)");
  }

  @Test
  void parseNamesTheLineOfInvalidYamlWithoutQuotingIt() throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "ok: 1\npassword: [hunter2-secret\n");
    assertThatThrownBy(() -> SopsFile.parse(broken))
        .hasMessageStartingWith(broken + ": not valid YAML: ")
        .hasMessageContaining("line 3")
        .hasMessageNotContaining("hunter2");
  }
}
