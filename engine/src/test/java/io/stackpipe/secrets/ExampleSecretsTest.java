package io.stackpipe.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.local.SopsCli;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.keys.SecretKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example services' profile secrets: encrypted for the public demo age key, readable by us and by sops. */
class ExampleSecretsTest {

  private static final Path ROOT = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize();
  private static final Path DEMO_KEY = ROOT.resolve("examples/keys/demo-age-key.txt");

  @Test
  void everyExampleSecretsFileDecryptsWithTheDemoKeyExactlyAsSopsDoes() throws Exception {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(ROOT.resolve("examples/services"))) {
      files = walk.filter(p -> p.getFileName().toString().equals("secrets.yaml")).sorted().toList();
    }
    assertThat(files).hasSize(6);
    SopsCli sops = new SopsCli(ROOT, Map.of("SOPS_AGE_KEY_FILE", DEMO_KEY.toString()));
    SopsDecrypt decrypt = new SopsDecrypt(SecretKeys.fromEnvironment(SecretsEnvironment.of(Map.of("SOPS_AGE_KEY_FILE", DEMO_KEY.toString()), null)));
    for (Path file : files) {
      DecryptedSecrets secrets = decrypt.call(file);
      String ours = secrets.plaintext();
      String profile = file.getParent().getFileName().toString();
      assertThat(secrets.secretValues()).isNotEmpty().allSatisfy(v -> assertThat(v).endsWith("-" + profile));
      assertThat(ours).isEqualTo(sops.run("-d", file.toString()).orFail());
    }
  }
}
