package io.stackpipe.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the real, pinned sops CLI with a controlled environment (no inherited AWS or age settings). */
public final class SopsCli {
  /** Exit code, stdout and stderr of one sops run. */
  public record Result(int exitCode, String stdout, String stderr) {
    public String orFail() {
      if (exitCode != 0) {
        throw new AssertionError("sops exited " + exitCode + ": " + stderr);
      }
      return stdout;
    }
  }

  private final Map<String, String> env;
  private final Path workDir;

  public SopsCli(Path workDir, Map<String, String> env) {
    this.workDir = workDir;
    this.env = Map.copyOf(env);
  }

  public Result run(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(LocalTools.sops().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("SOPS_") || k.equals("XDG_CONFIG_HOME"));
    // a private HOME/XDG dir so no user key file or AWS profile leaks into the run
    e.put("XDG_CONFIG_HOME", workDir.resolve(".xdg").toString());
    e.putAll(new HashMap<>(env));
    ToolOutput run = ToolOutput.run(pb, Duration.ofSeconds(120));
    return new Result(run.exitCode(), run.stdout(), run.stderr());
  }
}
