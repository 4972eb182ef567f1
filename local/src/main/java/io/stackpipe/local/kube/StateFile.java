package io.stackpipe.local.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The record a detached {@link ControlPlane} leaves in its directory ({@value #NAME}): its server, kubeconfig and
 * the PID and executable of each daemon, so that a later JVM finds and stops what still runs.
 */
final class StateFile {

  static final String NAME = "control-plane.properties";

  private StateFile() {
  }

  static void write(Path directory, URI server, Path kubeconfig, Map<String, Long> pids, Map<String, String> commands)
      throws IOException {
    Properties state = new Properties();
    state.setProperty("server", server.toString());
    state.setProperty("kubeconfig", kubeconfig.toString());
    state.setProperty("processes", String.join(",", pids.keySet()));
    pids.forEach((name, pid) -> {
      state.setProperty("pid." + name, Long.toString(pid));
      state.setProperty("command." + name, commands.get(name));
    });
    try (var out = Files.newBufferedWriter(directory.resolve(NAME))) {
      state.store(out, "stackpipe control plane; stop with: stackpipe cluster stop");
    }
  }

  /** The state in {@code directory} (absolute); PIDs that no longer run ours are dropped. */
  static ControlPlane.Status read(Path directory) {
    Path file = directory.resolve(NAME);
    Properties state = new Properties();
    if (Files.exists(file)) {
      try (var in = Files.newBufferedReader(file)) {
        state.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Map<String, Long> live = new LinkedHashMap<>();
    List<String> expected = List.of(state.getProperty("processes", "").split(",")).stream()
        .filter(n -> !n.isEmpty()).toList();
    for (String name : expected) {
      String pid = state.getProperty("pid." + name);
      String command = state.getProperty("command." + name);
      if (pid != null && command != null) {
        ProcessHandle.of(Long.parseLong(pid))
            .filter(ProcessHandle::isAlive)
            // A recycled PID belongs to someone else: only kill what still runs our binary.
            .filter(h -> h.info().command().map(c -> c.equals(command)).orElse(false))
            .ifPresent(h -> live.put(name, h.pid()));
      }
    }
    String server = state.getProperty("server");
    return new ControlPlane.Status(directory, live, expected, server == null ? null : URI.create(server),
        state.containsKey("kubeconfig") ? Path.of(state.getProperty("kubeconfig")) : null);
  }
}
