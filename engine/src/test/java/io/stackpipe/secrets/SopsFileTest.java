package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What chart builds use without any key: the encrypted check and the key structure with placeholders. */
class SopsFileTest {
  @TempDir
  Path dir;

  @Nested
  class IsEncrypted {
    @Test
    void recognisesSopsFilesOfEveryVectorFormat() {
      assertThat(SopsFile.isEncrypted(SopsVectorsTest.vectors().resolve("sops-nix/secrets.yaml"))).isTrue();
      assertThat(SopsFile.isEncrypted(SopsVectorsTest.vectors().resolve("sops-nix/secrets.json"))).isTrue();
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
      SopsFile f = SopsFile.parse(SopsVectorsTest.vectors().resolve("kustomize-controller/global/secret.yaml"));
      List<Map<String, Object>> docs = f.keyStructure(p -> "<secret:" + p + ">");
      assertThat(docs.get(0)).containsEntry("kind", "Secret")
          .containsEntry("metadata", Map.of("name", "global-age-secret", "namespace", "default"))
          .containsEntry("stringData", Map.of("key", "<secret:stringData.key>"))
          .doesNotContainKey("sops");
      assertThat(f.encryptedPaths()).containsExactly("stringData.key");
    }

    @Test
    void keepsListsAndNesting() {
      SopsFile f = SopsFile.parse(SopsVectorsTest.vectors().resolve("sops-nix/secrets.yaml"));
      assertThat(f.keyStructure(p -> "x").get(0)).isEqualTo(Map.of("test_key", "x", "a_list", List.of("x", "x"),
          "nested", Map.of("test", Map.of("file", "x"))));
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
