package io.stackpipe.bench;

import com.marcnuri.helm.Helm;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.base.FileTrees;
import io.stackpipe.local.registry.LocalRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One chart build (lint + render every profile + package + push) of a chart with 10 profiles, against the
 * same Helm operations called raw and sequentially through helm-java. Target: at most 1.2x raw.
 */
public final class ChartBuildBench {

  private static final int PROFILES = 10;
  private static final int WARMUP = 15;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Path repo = Path.of(System.getProperty("stackpipe.repo.root", ".")).toAbsolutePath();
    Path work = Files.createTempDirectory("stackpipe-bench-");
    try (LocalRegistry registry = LocalRegistry.start()) {
      Path chart = chartWithProfiles(repo.resolve("examples/services/orders"), work.resolve("orders"));
      System.out.printf("chart build benchmark: orders with %d profiles, %d rounds after %d warm-up, %d cores%n",
          PROFILES, rounds, WARMUP, Runtime.getRuntime().availableProcessors());
      // Warm both paths: the first Helm call loads the native library, and the JIT needs a few rounds.
      for (int w = 0; w < WARMUP; w++) {
        raw(chart, work.resolve("warm-raw" + w), registry.ociUrl("warm-raw" + w), 0);
        stackpipe(chart, work.resolve("warm-sp" + w), registry.ociUrl("warm-sp" + w), 0);
      }
      compare("lint + render all + package + push", rounds, round -> raw(chart, work.resolve("raw" + round),
          registry.ociUrl("raw"), round), round -> stackpipe(chart, work.resolve("sp" + round), registry.ociUrl("sp"), round));
      compare("lint + render all + package (no push)", rounds, round -> raw(chart, work.resolve("rawl" + round),
          null, round), round -> stackpipe(chart, work.resolve("spl" + round), null, round));
    } finally {
      FileTrees.delete(work);
    }
  }

  private interface Round {
    long run(int round) throws IOException;
  }

  // Rounds alternate between the two paths, so drift in machine load hits both alike.
  private static void compare(String what, int rounds, Round raw, Round ours) throws IOException {
    List<Long> rawTimes = new ArrayList<>();
    List<Long> ourTimes = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      rawTimes.add(raw.run(round));
      ourTimes.add(ours.run(round));
    }
    long rawMedian = median(rawTimes);
    long ourMedian = median(ourTimes);
    System.out.printf("%n%s%n", what);
    System.out.printf("  raw helm-java, sequential (baseline): median %d ms  %s%n", rawMedian, rawTimes);
    System.out.printf("  stackpipe chart build:                median %d ms  %s%n", ourMedian, ourTimes);
    System.out.printf("  ratio stackpipe/raw: %.2f (target <= 1.20)%n", (double) ourMedian / rawMedian);
  }

  private static long raw(Path chart, Path out, String target, int round) throws IOException {
    long start = System.nanoTime();
    Helm helm = new Helm(chart);
    if (helm.lint().strict().call().isFailed()) {
      throw new IllegalStateException("lint failed");
    }
    helm.template().withName("orders").call();
    for (int p = 0; p < PROFILES; p++) {
      helm.template().withName("orders").withValuesFile(chart.resolve("profiles/p" + p + "/values.yaml")).call();
    }
    Files.createDirectories(out);
    helm.packageIt().withDestination(out).call();
    if (target != null) {
      // The archive always has version 0.1.0: each round pushes to a repository of its own.
      Helm.push().withChart(out.resolve("orders-0.1.0.tgz")).withRemote(URI.create(target + "/r" + round))
          .plainHttp().call();
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  // Like raw: the same chart each round, pushed to a repository of the round's own, so every push is real.
  private static long stackpipe(Path chart, Path out, String target, int round) {
    long start = System.nanoTime();
    ChartBuild.of(chart).pushTo(target == null ? null : target + "/r" + round).withOutputDirectory(out).call();
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static Path chartWithProfiles(Path source, Path target) throws IOException {
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : walk.toList()) {
        Path to = target.resolve(source.relativize(p).toString());
        if (p.startsWith(source.resolve("profiles"))) {
          continue;
        }
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    for (int p = 0; p < PROFILES; p++) {
      Path dir = Files.createDirectories(target.resolve("profiles/p" + p));
      Files.writeString(dir.resolve("values.yaml"), "replicaCount: " + (p + 1) + "\ningress:\n  host: p" + p
          + ".example.com\nconfig:\n  LOG_LEVEL: info\n  PROFILE: p" + p + "\n");
    }
    return target;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
