package io.stackpipe.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("sops timed out: " + cmd);
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e1) {
      throw new UncheckedIOException(e1);
    } catch (InterruptedException e2) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
