package io.stackpipe.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the real Helm CLI ({@link LocalTools#helm()}) against one cluster, with Helm's cache, config and data homes
 * in a folder of its own (no user repositories or plugins leak in): what tests and benchmarks check Stackpipe's
 * releases with, and compare against.
 */
public final class HelmCli {
  /** Exit code, stdout and stderr of one helm run. */
  public record Result(int exitCode, String stdout, String stderr) {
    public String orFail() {
      if (exitCode != 0) {
        throw new AssertionError("helm exited " + exitCode + ": " + stderr.strip());
      }
      return stdout;
    }
  }

  private final Path kubeconfig;
  private final Path home;

  public HelmCli(Path kubeconfig, Path home) {
    this.kubeconfig = kubeconfig;
    this.home = home;
  }

  /** {@code helm ARGS --kubeconfig K}. */
  public Result run(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(LocalTools.helm().toString());
    cmd.addAll(List.of(args));
    cmd.add("--kubeconfig");
    cmd.add(kubeconfig.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("HELM_") || k.equals("KUBECONFIG"));
    e.put("HELM_CACHE_HOME", home.resolve("cache").toString());
    e.put("HELM_CONFIG_HOME", home.resolve("config").toString());
    e.put("HELM_DATA_HOME", home.resolve("data").toString());
    ToolOutput run = ToolOutput.run(pb, Duration.ofSeconds(300));
    return new Result(run.exitCode(), run.stdout(), run.stderr());
  }
}
