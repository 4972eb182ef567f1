package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.secrets.core.MacMismatchException;
import io.stackpipe.secrets.core.SecretsException;
import io.stackpipe.secrets.format.SopsFile;
import io.stackpipe.secrets.format.SopsMetadata;
import io.stackpipe.secrets.format.Tree;
import io.stackpipe.secrets.keys.Age;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.testsupport.SharedFiles;
import io.stackpipe.local.SopsCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The extra suite: every file in ../shared/sops-vectors (written by real sops 3.3.1–3.13.1 in other projects) decrypts
 * to exactly its expected plaintext. Those files exist only on some machines; where they are absent the suite is
 * skipped and says so, and the generated corpus ({@link SopsConformanceTest}, {@link SopsDifferentialTest}) still runs.
 */
class SopsVectorsTest {
  static Path vectors() {
    return SharedFiles.find("sops-vectors").orElseThrow();
  }

  @BeforeAll
  static void onlyWhereTheSharedVectorsExist() {
    boolean present = SharedFiles.find("sops-vectors").isPresent();
    if (!present) {
      System.out.println("SopsVectorsTest: ../shared/sops-vectors not found: extra suite of real-world sops files skipped");
    }
    Assumptions.assumeTrue(present, "../shared/sops-vectors not found: extra suite of real-world sops files skipped");
  }

  static SecretKeys keys(String... keyFiles) {
    SecretKeys k = SecretKeys.none();
    for (String f : keyFiles) {
      Path p = vectors().resolve(f);
      k = f.endsWith(".asc") ? k.withPgpKeyFile(p) : k.withAgeKeyFile(p);
    }
    return k;
  }

  /** The expected plaintext parsed by the same store (types included), as plain maps. */
  static List<Map<String, Object>> expected(String name) {
    Path p = vectors().resolve("expected").resolve(name);
    return SopsFile.load(p).documents().stream().map(Tree::toPlain).toList();
  }

  static Stream<Arguments> vectorsWithKeys() {
    return Stream.of(
        Arguments.of("helm-secrets/secrets.age.yaml", "helm-secrets__secrets.age.dec.yaml", new String[]{"helm-secrets/age-key.txt"}),
        Arguments.of("sops-nix/secrets.yaml", "sops-nix__secrets.dec.yaml", new String[]{"sops-nix/age-keys.txt"}),
        Arguments.of("sops-nix/secrets.yaml", "sops-nix__secrets.dec.yaml", new String[]{"sops-nix/key.asc"}),
        Arguments.of("sops-nix/secrets.json", "sops-nix__secrets.json.dec", new String[]{"sops-nix/key.asc"}),
        Arguments.of("kustomize-controller/global/secret.yaml", "kustomize-controller__global_secret.dec.yaml", new String[]{"kustomize-controller/keys/age-global.txt"}),
        Arguments.of("kustomize-controller/algorithms/age.yaml", "kustomize-controller__algorithms_age.dec.yaml", new String[]{"kustomize-controller/keys/age.txt"}),
        Arguments.of("kustomize-controller/patches/merge1.yaml", "kustomize-controller__patches_merge1.dec.yaml", new String[]{"kustomize-controller/keys/age.txt"}),
        Arguments.of("kustomize-controller/patches/merge2.yaml", "kustomize-controller__patches_merge2.dec.yaml", new String[]{"kustomize-controller/keys/age.txt"}),
        Arguments.of("sops-functional/comments.enc.yaml", "sops-functional__comments.enc.yaml.dec", new String[]{"sops-functional/sops_functional_tests_key.asc"}),
        // written by sops 3.3.1, which left comments in clear: the source file is the expected plaintext
        Arguments.of("sops-functional/comments_unencrypted_comments.yaml", "../sops-functional/comments.yaml", new String[]{"sops-functional/sops_functional_tests_key.asc"}),
        Arguments.of("sops-functional/format.enc.yaml", "sops-functional__format.enc.yaml.dec", new String[]{"sops-functional/sops_functional_tests_key.asc"}),
        Arguments.of("sops-functional/format.enc.json", "sops-functional__format.enc.json.dec", new String[]{"sops-functional/sops_functional_tests_key.asc"}),
        Arguments.of("sops-functional/multiple_keys.yaml", "sops-functional__multiple_keys.yaml.dec", new String[]{"sops-functional/sops_functional_tests_key.asc"}));
  }

  @ParameterizedTest(name = "{0} with {2}")
  @MethodSource("vectorsWithKeys")
  void decryptsToTheExpectedPlaintextWithTypes(String file, String expected, String[] keyFiles) {
    DecryptedSecrets d = new SopsDecrypt(keys(keyFiles)).call(vectors().resolve(file));
    assertThat(d.documents()).isEqualTo(expected(expected));
  }

  @Test
  void everyVectorFileIsCoveredByATest() throws Exception {
    List<String> covered = vectorsWithKeys().map(a -> (String) a.get()[0]).toList();
    try (Stream<Path> s = Files.walk(vectors())) {
      List<String> encrypted = s.filter(Files::isRegularFile)
          .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
          .filter(SopsFile::isEncrypted)
          .map(p -> vectors().relativize(p).toString())
          .filter(p -> !p.equals("sops-functional/no_mac.yaml"))
          .toList();
      assertThat(covered).containsAll(encrypted);
    }
  }

  @Test
  void everyVectorFilePassesTheStaticStructureCheck() throws Exception {
    try (Stream<Path> s = Files.walk(vectors())) {
      List<Path> encrypted = s.filter(Files::isRegularFile).filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
          .filter(SopsFile::isEncrypted).filter(p -> !p.endsWith("no_mac.yaml")).toList();
      assertThat(encrypted).hasSizeGreaterThan(10).allSatisfy(p -> SopsFile.parse(p).checkStructure());
    }
  }

  @Nested
  class SameOutputAsSopsD {
    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} with {2}")
    @MethodSource("io.stackpipe.secrets.SopsVectorsTest#vectorsWithKeys")
    void plaintextIsByteForByteWhatSopsPrints(String file, String expected, String[] keyFiles) throws Exception {
      Map<String, String> env = new java.util.HashMap<>();
      for (String k : keyFiles) {
        if (k.endsWith(".asc")) {
          Path gnupg = tmp.resolve("gnupg");
          Files.createDirectories(gnupg);
          Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
          ProcessBuilder pb = new ProcessBuilder("gpg", "--batch", "--import", vectors().resolve(k).toString())
              .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
          pb.environment().put("GNUPGHOME", gnupg.toString());
          assertThat(pb.start().waitFor()).isZero();
          env.put("GNUPGHOME", gnupg.toString());
        } else {
          env.put("SOPS_AGE_KEY_FILE", vectors().resolve(k).toString());
        }
      }
      try {
        String theirs = new SopsCli(tmp, env).run("--decrypt", vectors().resolve(file).toString()).orFail();
        assertThat(new SopsDecrypt(keys(keyFiles)).call(vectors().resolve(file)).plaintext()).isEqualTo(theirs);
      } finally {
        if (env.containsKey("GNUPGHOME")) {
          ProcessBuilder kill = new ProcessBuilder("gpgconf", "--kill", "all").redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectErrorStream(true);
          kill.environment().put("GNUPGHOME", env.get("GNUPGHOME"));
          kill.start().waitFor();
        }
      }
    }
  }

  @Nested
  class Comments {
    final SecretKeys keys = keys("sops-functional/sops_functional_tests_key.asc");

    @Test
    void encryptedCommentsComeBackInThePlaintextLikeSopsD() {
      String plain = new SopsDecrypt(keys).call(vectors().resolve("sops-functional/comments.enc.yaml")).plaintext();
      assertThat(plain).isEqualTo("# first comment in file\nlorem: ipsum\n# this-is-a-comment\ndolor: sit\n");
    }

    @Test
    void clearCommentsOfOldSopsVersionsAreKept() {
      String plain = new SopsDecrypt(keys).call(vectors().resolve("sops-functional/comments_unencrypted_comments.yaml")).plaintext();
      assertThat(plain).isEqualTo("# first comment in file\nlorem: ipsum\n# this-is-a-comment\ndolor: sit\n");
    }
  }

  @Nested
  class WhenTheFileHasNoMac {
    final Path noMac = vectors().resolve("sops-functional/no_mac.yaml");
    final SecretKeys keys = keys("sops-functional/sops_functional_tests_key.asc");

    @Test
    void decryptionIsRefusedWithAMacError() {
      assertThatThrownBy(() -> new SopsDecrypt(keys).call(noMac))
          .isInstanceOf(MacMismatchException.class)
          .hasMessageContaining("no_mac.yaml")
          .hasMessageContaining("no MAC");
    }

    @Test
    void decryptsWhenTheMacIsIgnored() {
      DecryptedSecrets d = new SopsDecrypt(keys).withIgnoreMac(true).call(noMac);
      assertThat(d.documents()).isEqualTo(expected("sops-functional__no_mac.yaml.dec-ignore-mac"));
    }
  }

  @Nested
  class AgeStanzaFromSopsUnitTests {
    @Test
    void unwrapsTheMockKeyToItsFourBytes() throws Exception {
      String armored = Files.readString(vectors().resolve("sops-age-unit/mockEncryptedKey.age"));
      List<Age.Identity> ids = Age.Identity.parseAll(Files.readString(vectors().resolve("sops-age-unit/mockIdentity.txt")));
      assertThat(new String(Age.decrypt(armored, ids), StandardCharsets.UTF_8)).isEqualTo("data");
    }

    @Test
    void refusesWithoutAMatchingIdentity() throws Exception {
      String armored = Files.readString(vectors().resolve("sops-age-unit/mockEncryptedKey.age"));
      assertThatThrownBy(() -> Age.decrypt(armored, List.of(Age.Identity.generate())))
          .hasMessageContaining("none of the 1 age identities matches");
    }
  }

  @Test
  void keysWithoutMaterialAreReportedPerKey() {
    assertThatThrownBy(() -> new SopsDecrypt(SecretKeys.none()).call(vectors().resolve("sops-nix/secrets.yaml")))
        .isInstanceOf(SecretsException.class)
        .hasMessageContaining("secrets.yaml")
        .hasMessageContaining("age age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw: no age identity available")
        .hasMessageContaining("pgp 7FB89715AADA920D65D25E63F9BA9DEBD03F57C0: no PGP private key given");
  }
}
