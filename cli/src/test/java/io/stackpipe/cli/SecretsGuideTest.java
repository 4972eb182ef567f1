package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.testsupport.MotoExtension;
import io.stackpipe.local.MotoServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Runs every ```sh block of docs/secrets.md, in order, as one bash script against moto (KMS_KEY_ARN is a moto key,
 * credentials come from the environment through the AWS default chain, `stackpipe` is the real CLI in a new JVM).
 */
@ExtendWith(MotoExtension.class)
class SecretsGuideTest {
  @TempDir
  Path work;

  static List<String> shellBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("(?ms)^```sh\\n(.*?)^```").matcher(markdown);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void theGuideCommandsWorkAsWritten(MotoServer moto) throws Exception {
    Path guide = Path.of(System.getProperty("stackpipe.repo.root")).resolve("docs/secrets.md");
    List<String> blocks = shellBlocks(Files.readString(guide));
    assertThat(blocks).hasSizeGreaterThanOrEqualTo(5);
    String arn;
    try (KmsClient admin = KmsClient.builder().endpointOverride(moto.endpoint()).region(Region.of(MotoServer.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(MotoServer.ACCESS_KEY, MotoServer.SECRET_KEY))).build()) {
      arn = admin.createKey(b -> b.description("payments prod")).keyMetadata().arn();
    }
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path shim = bin.resolve("stackpipe");
    Files.writeString(shim, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
        + System.getProperty("java.class.path") + "' " + GuideStackpipe.class.getName() + " \"$@\"\n");
    Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
    Path script = work.resolve("guide.sh");
    Files.writeString(script, "set -euo pipefail\n" + String.join("\n", blocks));

    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(work.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("SOPS_"));
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("KMS_KEY_ARN", arn);
    // moto keeps keys per account: the role must live in the key's account for its credentials to see the key
    pb.environment().put("PIPELINE_ROLE_ARN", "arn:aws:iam::123456789012:role/payments-pipeline");
    pb.environment().put("STACKPIPE_KMS_ENDPOINT", moto.endpoint().toString());
    pb.environment().put("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_KEY);
    pb.environment().put("HOME", work.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();

    assertThat(output).contains("change-me")
        .contains("database:\n    user: payments\n    password: n3w-Passw0rd\nstripe_api_key: sk_live_example\n")
        .contains("1 file(s) rotated")
        .contains("updated keys of charts/payments/profiles/prod/secrets.yaml")
        .endsWith("sk_live_example");
    Path secrets = work.resolve("charts/payments/profiles/prod/secrets.yaml");
    assertThat(Files.readString(secrets)).doesNotContain("n3w-Passw0rd").contains("chart: payments");
  }
}
