package io.stackpipe.local.kube;

import io.stackpipe.local.ChildProcesses;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The daemons of one {@link ControlPlane} (and its node), in start order, each logging to {@code logs/NAME.log}.
 * Attached, they die with this JVM, even on SIGKILL (parent-death signal); detached, they run in a session of their
 * own and outlive it. Every wait fails at once, with the log lines that tell why, when one of them dies.
 */
final class Supervisor {

  private final Path logs;
  private final boolean detached;
  private final boolean recordOnNodeHost;
  private final Duration timeout;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Map<String, String> commands = new LinkedHashMap<>();

  /** {@code recordOnNodeHost}: with a node, every PID also goes to {@link NodeHost}'s record for its mop-up. */
  Supervisor(Path logs, boolean detached, boolean recordOnNodeHost, Duration timeout) {
    this.logs = logs;
    this.detached = detached;
    this.recordOnNodeHost = recordOnNodeHost;
    this.timeout = timeout;
  }

  void launch(String name, List<String> command) throws IOException {
    List<String> full = new ArrayList<>();
    if (detached) {
      full.add("setsid"); // own session: a closing terminal does not take the demo's cluster with it
    }
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full)
        .redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = detached ? builder.start() : ChildProcesses.startAttached(builder);
    processes.put(name, process);
    commands.put(name, command.get(0).contains("/") ? command.get(0) : resolveOnPath(command.get(0)));
    if (recordOnNodeHost) {
      NodeHost.recordProcess(name, process.toHandle());
    }
  }

  private static String resolveOnPath(String name) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst().map(Path::toString).orElse(name);
  }

  /** Runs a short-lived tool to completion, its output in {@code logs/TOOL.log}. */
  void runTool(List<String> command) throws IOException {
    Path log = logs.resolve(Path.of(command.get(0)).getFileName() + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: "
            + String.join(" ", Files.readAllLines(log)).strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
  }

  interface Check {
    boolean ok() throws InterruptedException;
  }

  void awaitUntil(String what, Check check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!check.ok()) {
        for (Map.Entry<String, Process> e : processes.entrySet()) {
          if (!e.getValue().isAlive()) {
            throw new IllegalStateException(e.getKey() + " exited with status " + e.getValue().exitValue()
                + " while waiting for " + what + "; last log lines:\n" + logTail(e.getKey()));
          }
        }
        if (System.nanoTime() > deadline) {
          String last = processes.keySet().stream().reduce((a, b) -> b).orElse("etcd");
          throw new IllegalStateException("timed out after " + timeout.toSeconds() + "s waiting for " + what
              + "; last lines of " + last + ".log:\n" + logTail(last));
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    }
  }

  private String logTail(String name) {
    try {
      List<String> lines = Files.readAllLines(logs.resolve(name + ".log"));
      // klog errors (E...) and fatal lines (F...) first: warnings that follow them would hide the cause.
      List<String> errors = lines.stream().filter(l -> l.matches("[EF]\\d{4} .*|Error: .*")).toList();
      List<String> tail = new ArrayList<>(errors.subList(Math.max(0, errors.size() - 5), errors.size()));
      tail.addAll(lines.subList(Math.max(0, lines.size() - 15), lines.size()));
      return String.join("\n", tail);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** PIDs by daemon, in start order. */
  Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    processes.forEach((name, p) -> pids.put(name, p.pid()));
    return pids;
  }

  /** The executable of each daemon, as {@link ProcessHandle.Info#command()} reports it. */
  Map<String, String> commands() {
    return Collections.unmodifiableMap(commands);
  }

  /** Kills every daemon, the last started first. */
  void kill() {
    List<Process> reversed = new ArrayList<>(processes.values());
    Collections.reverse(reversed);
    reversed.forEach(p -> killTree(p.toHandle()));
  }

  static void killTree(ProcessHandle handle) {
    // SIGKILL: nothing here needs a graceful shutdown, and the data directory is thrown away.
    handle.descendants().forEach(ProcessHandle::destroyForcibly);
    handle.destroyForcibly();
    try {
      handle.onExit().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Reported by the caller's next status check; nothing more can be done from here.
    }
  }
}
