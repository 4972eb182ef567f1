package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.secrets.core.MacMismatchException;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.SecretKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotate, updatekeys and edit over a chart's profiles, as one call each. */
class LifecycleTest {
  @TempDir
  Path chart;
  Age.Identity alice;
  Age.Identity bob;
  SecretKeys keys;
  Path dev;
  Path prod;

  @BeforeEach
  void chartWithTwoProfiles() throws IOException {
    alice = Age.Identity.generate();
    bob = Age.Identity.generate();
    keys = SecretKeys.none().withAgeIdentities(List.of(alice, bob));
    dev = profile("dev", "password: dev-pass\nport: 1\n");
    prod = profile("prod", "password: prod-pass\napi:\n    token: prod-token\n");
    Files.writeString(chart.resolve("profiles/prod/values.yaml"), "replicas: 3\n");
  }

  private Path profile(String name, String plain) throws IOException {
    Path dir = Files.createDirectories(chart.resolve("profiles").resolve(name));
    Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - age: " + alice.recipient() + "\n");
    Path f = dir.resolve("secrets.yaml");
    Files.writeString(f, plain);
    new SopsEncrypt(keys).callInPlace(f);
    return f;
  }

  private static Set<String> ciphertexts(Path f) throws IOException {
    return Pattern.compile("ENC\\[[^]]+]").matcher(Files.readString(f)).results().map(m -> m.group()).collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void findsOnlyTheEncryptedFilesOfAChart() {
    assertThat(SecretsFiles.find(List.of(chart))).containsExactly(dev, prod);
  }

  @Nested
  class Rotate {
    @Test
    void givesEveryFileANewDataKeyAndNewCiphertextsWithTheSameValues() throws IOException {
      Set<String> before = ciphertexts(prod);
      String stanzaBefore = SopsFile.parse(prod).metadata().allKeys().get(0).enc();
      assertThat(new SopsRotate(keys).call(List.of(chart))).containsExactly(dev, prod);
      assertThat(ciphertexts(prod)).doesNotContainAnyElementsOf(before);
      assertThat(SopsFile.parse(prod).metadata().allKeys().get(0).enc()).isNotEqualTo(stanzaBefore);
      assertThat(new SopsDecrypt(keys).call(prod).documents().get(0))
          .isEqualTo(Map.of("password", "prod-pass", "api", Map.of("token", "prod-token")));
    }

    @Test
    void changesNothingWhenAnyFileCannotBeDecrypted() throws IOException {
      Files.writeString(prod, Files.readString(prod).replaceAll("(?m)^    mac: .*\\n", ""));
      String devBefore = Files.readString(dev);
      assertThatThrownBy(() -> new SopsRotate(keys).call(List.of(chart)))
          .isInstanceOf(MacMismatchException.class)
          .hasMessageStartingWith(prod.toString());
      assertThat(Files.readString(dev)).isEqualTo(devBefore);
    }
  }

  @Nested
  class UpdateKeys {
    @Test
    void rewrapsTheDataKeyForTheKeysOfTheCreationRuleKeepingValuesAndMac() throws IOException {
      Path rules = prod.resolveSibling(".sops.yaml");
      Files.writeString(rules, "creation_rules:\n  - age: " + alice.recipient() + "," + bob.recipient() + "\n");
      Set<String> before = ciphertexts(prod);
      assertThat(new SopsUpdateKeys(keys).call(List.of(chart))).containsExactly(prod);
      assertThat(ciphertexts(prod)).containsAll(before);
      SecretKeys bobOnly = SecretKeys.none().withAgeIdentities(List.of(bob));
      assertThat(new SopsDecrypt(bobOnly).call(prod).secretValues()).contains("prod-pass");
      assertThat(new SopsUpdateKeys(keys).call(List.of(chart))).as("second run has nothing to do").isEmpty();
    }

    @Test
    void removesAccessOfARecipientDroppedFromTheRule() throws IOException {
      Files.writeString(dev.resolveSibling(".sops.yaml"), "creation_rules:\n  - age: " + bob.recipient() + "\n");
      new SopsUpdateKeys(keys).call(List.of(dev));
      SecretKeys aliceOnly = SecretKeys.none().withAgeIdentities(List.of(alice));
      assertThatThrownBy(() -> new SopsDecrypt(aliceOnly).call(dev))
          .hasMessageContaining("age " + bob.recipient() + ": none of the 1 age identities matches");
    }
  }

  @Nested
  class Edit {
    @Test
    void unchangedValuesKeepTheirCiphertext() throws IOException {
      String before = Files.readString(prod);
      String tokenCipher = Pattern.compile("token: (ENC\\[[^]]+])").matcher(before).results().findFirst().orElseThrow().group(1);
      String passCipher = Pattern.compile("password: (ENC\\[[^]]+])").matcher(before).results().findFirst().orElseThrow().group(1);
      boolean changed = new SopsEdit(keys).withEditor(List.of("sed", "-i", "s/prod-pass/new-pass/")).call(prod);
      assertThat(changed).isTrue();
      String after = Files.readString(prod);
      assertThat(after).contains(tokenCipher).doesNotContain(passCipher).doesNotContain("new-pass");
      assertThat(new SopsDecrypt(keys).call(prod).documents().get(0))
          .isEqualTo(Map.of("password", "new-pass", "api", Map.of("token", "prod-token")));
    }

    @Test
    void anEditThatChangesNothingLeavesTheFileAlone() throws IOException {
      String before = Files.readString(dev);
      assertThat(new SopsEdit(keys).withEditor(List.of("true")).call(dev)).isFalse();
      assertThat(Files.readString(dev)).isEqualTo(before);
    }

    @Test
    void anInvalidEditChangesNothing() throws IOException {
      String before = Files.readString(dev);
      assertThatThrownBy(() -> new SopsEdit(keys).withEditor(List.of("sh", "-c", "echo '{unclosed: [' > \"$0\"")).call(dev))
          .hasMessageContaining("not valid YAML");
      assertThat(Files.readString(dev)).isEqualTo(before);
    }
  }
}
