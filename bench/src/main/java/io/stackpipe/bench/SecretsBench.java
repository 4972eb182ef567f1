package io.stackpipe.bench;

import io.stackpipe.base.FileTrees;
import io.stackpipe.secrets.DecryptedSecrets;
import io.stackpipe.secrets.core.SecretsEnvironment;
import io.stackpipe.secrets.SopsDecrypt;
import io.stackpipe.secrets.SopsEncrypt;
import io.stackpipe.local.DelayProxy;
import io.stackpipe.local.MotoServer;
import io.stackpipe.local.SopsCli;
import io.stackpipe.secrets.keys.AwsKms;
import io.stackpipe.secrets.keys.SecretKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Decrypts 100 KMS-encrypted files of 50 values each with KMS behind a 20 ms loopback delay proxy in front of moto,
 * counting KMS calls and wall time, then runs the real {@code sops -d} over the same files one after another.
 * Usage: scripts/bench secrets [files] [values] [delayMs]
 */
public final class SecretsBench {
  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int values = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int delayMs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(MotoServer.ACCESS_KEY, MotoServer.SECRET_KEY));
    Path dir = Files.createTempDirectory("stackpipe-bench-");
    try (MotoServer moto = MotoServer.start();
       DelayProxy proxy = DelayProxy.start(moto.endpoint(), Duration.ofMillis(delayMs));
       KmsClient admin = KmsClient.builder().endpointOverride(moto.endpoint()).region(Region.of(MotoServer.REGION)).credentialsProvider(creds).build()) {
      String arn = admin.createKey(b -> b.description("bench")).keyMetadata().arn();
      Files.writeString(dir.resolve(".sops.yaml"), "creation_rules:\n  - key_groups:\n      - kms:\n          - arn: " + arn
          + "\n            context:\n              app: bench\n");
      List<Path> paths = new ArrayList<>();
      try (SecretKeys setup = SecretKeys.none().withKms(AwsKms.fromEnvironment(SecretsEnvironment.none()).withEndpoint(moto.endpoint()).withCredentials(creds))) {
        for (int i = 0; i < files; i++) {
          StringBuilder sb = new StringBuilder();
          for (int v = 0; v < values; v++) {
            sb.append("key").append(v).append(": value-").append(i).append('-').append(v).append('\n');
          }
          Path f = dir.resolve("secrets-" + i + ".yaml");
          Files.writeString(f, sb.toString());
          new SopsEncrypt(setup).callInPlace(f);
          paths.add(f);
        }
      }
      System.out.printf("setup: %d files x %d values, KMS at %s behind %d ms per request%n", files, values, moto.endpoint(), delayMs);

      for (String run : List.of("cold (first in this JVM)", "warm")) {
        try (SecretKeys keys = SecretKeys.none().withKms(AwsKms.fromEnvironment(SecretsEnvironment.none()).withEndpoint(proxy.endpoint()).withCredentials(creds))) {
          long t0 = System.nanoTime();
          List<DecryptedSecrets> out = new SopsDecrypt(keys).withParallelism(32).callAll(paths);
          long ms = (System.nanoTime() - t0) / 1_000_000;
          check(out, files, values);
          System.out.printf("stackpipe %-24s %5d ms  KMS calls: %d (%.2f per file)%n", run, ms, keys.kms().calls(), keys.kms().calls() / (double) files);
          if (run.equals("warm")) {
            lastMs = ms;
          }
        }
      }

      SopsCli sops = new SopsCli(dir, Map.of("AWS_ENDPOINT_URL", proxy.endpoint().toString(), "AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY,
          "AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_KEY, "AWS_REGION", MotoServer.REGION));
      long t0 = System.nanoTime();
      for (Path p : paths) {
        sops.run("--decrypt", p.toString()).orFail();
      }
      long sopsMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("sops -d   %-24s %5d ms  (%d processes, one after another)%n", "sequential", sopsMs, files);
      System.out.printf("ratio: sops / stackpipe (warm) = %.1fx; target <= 1000 ms: %s%n", sopsMs / (double) Math.max(1, lastMs),
          lastMs <= 1000 ? "met" : "MISSED");
    } finally {
      FileTrees.delete(dir);
    }
  }

  private static long lastMs;

  private static void check(List<DecryptedSecrets> out, int files, int values) {
    if (out.size() != files || out.stream().anyMatch(d -> d.secretPaths().size() != values)) {
      throw new IllegalStateException("benchmark decrypted the wrong number of files or values");
    }
  }
}
