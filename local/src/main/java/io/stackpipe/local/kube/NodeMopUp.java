package io.stackpipe.local.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How each trace a node leaves on the machine is found and removed, whether or not the node's processes still
 * run: processes, mounts, the bridge and its veths, iptables chains, pod cgroups and files in hard-coded paths.
 * {@link NodeHost} decides when and in which order, from its record.
 */
final class NodeMopUp {

  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
  private static final String POD_CGROUP = "kubepods";

  private NodeMopUp() {
  }

  /**
   * Daemons first, then the shims (they outlive containerd by design) and every process left in the pod
   * cgroups (they outlive a killed shim).
   */
  static void killProcesses(List<ProcessHandle> daemons, Path root) {
    kill(daemons);
    String socket = root.resolve("containerd/containerd.sock").toString();
    kill(ProcessHandle.allProcesses()
        .filter(h -> commandLine(h.pid()).map(c -> c.contains("containerd-shim") && c.contains(socket)).orElse(false))
        .toList());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<ProcessHandle> pods;
    while (!(pods = podProcesses()).isEmpty() && System.nanoTime() < deadline) {
      kill(pods);
    }
  }

  private static void kill(List<ProcessHandle> processes) {
    processes.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : processes) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // A process stuck in the kernel; the cgroup and mount clean-up below reports what stays.
      }
    }
  }

  private static java.util.Optional<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return java.util.Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' '));
    } catch (IOException gone) {
      return java.util.Optional.empty();
    }
  }

  /** Every process in a pod cgroup, in any hierarchy. */
  static List<ProcessHandle> podProcesses() {
    Map<Long, ProcessHandle> found = new LinkedHashMap<>();
    for (Path cgroup : podCgroups()) {
      try {
        for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
          if (!line.isBlank()) {
            ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(h -> found.put(h.pid(), h));
          }
        }
      } catch (IOException gone) {
        // removed meanwhile
      }
    }
    return List.copyOf(found.values());
  }

  /** The pod cgroup directories of every hierarchy, deepest first. */
  private static List<Path> podCgroups() {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
      for (Path hierarchy : hierarchies.toList()) {
        Path pods = hierarchy.resolve(POD_CGROUP);
        if (Files.isDirectory(pods, LinkOption.NOFOLLOW_LINKS)) {
          try (Stream<Path> walk = Files.walk(pods)) {
            walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(all::add);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the pod cgroups", e);
    }
    all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return all;
  }

  static void removeCgroups() {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<Path> left;
    while (!(left = podCgroups()).isEmpty()) {
      for (Path cgroup : left) {
        try {
          Files.deleteIfExists(cgroup); // rmdir: a cgroup directory's files are virtual
        } catch (IOException busy) {
          // a dying process still counts as a member for a moment
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("pod cgroups stay behind: " + left);
      }
      sleep(50);
    }
  }

  /** Mount points at or below {@code root}, deepest first (mountinfo escapes spaces and the like as octal). */
  private static List<String> mountsUnder(Path root) {
    try {
      String prefix = root.toString();
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(line -> unescape(line.split(" ")[4]))
          .filter(m -> m.equals(prefix) || m.startsWith(prefix + "/"))
          .distinct()
          .sorted(Comparator.comparingInt(String::length).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static void unmountUnder(Path root) {
    List<String> mounts;
    int rounds = 0;
    // A mount point can be stacked several times (the kubelet's root dir is bind-mounted on itself).
    while (!(mounts = mountsUnder(root)).isEmpty()) {
      if (++rounds > 10) {
        throw new IllegalStateException("mounts stay behind: " + mounts);
      }
      for (String mount : mounts) {
        runQuietly("umount", "-l", mount);
      }
    }
  }

  /** The bridge's veths go with their pods' network namespaces; delete whatever is left, then the bridge. */
  static void deleteLinks() {
    for (String veth : bridgePorts()) {
      runQuietly("ip", "link", "delete", veth);
    }
    if (bridgeExists()) {
      run("ip", "link", "delete", NodeHost.BRIDGE);
    }
  }

  private static boolean bridgeExists() {
    return Files.exists(Path.of("/sys/class/net", NodeHost.BRIDGE));
  }

  /** Interfaces attached to the bridge. */
  private static List<String> bridgePorts() {
    Path ports = Path.of("/sys/class/net", NodeHost.BRIDGE, "brif");
    if (!Files.isDirectory(ports)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(ports)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The chains of kube-proxy, the kubelet and the CNI plugins: every KUBE-* and CNI-* chain, v4 and v6. */
  private static boolean isNodeChain(String chain) {
    return chain.startsWith("KUBE-") || chain.startsWith("CNI-");
  }

  private static final List<String> IPTABLES = List.of("iptables", "ip6tables");
  private static final List<String> TABLES = List.of("nat", "filter", "mangle");

  static void deleteIptablesChains() {
    for (String family : IPTABLES) {
      for (String table : TABLES) {
        List<String> rules = run(family + "-save", "-t", table).lines().toList();
        List<String> chains = rules.stream().filter(l -> l.startsWith(":"))
            .map(l -> l.substring(1, l.indexOf(' '))).filter(NodeMopUp::isNodeChain).toList();
        if (chains.isEmpty()) {
          continue;
        }
        StringBuilder script = new StringBuilder("*" + table + "\n");
        for (String rule : rules) {
          // Jumps into our chains from chains that are not ours (the built-in ones).
          if (rule.startsWith("-A ") && !isNodeChain(rule.split(" ")[1])
              && chains.stream().anyMatch(c -> rule.endsWith(" -j " + c) || rule.contains(" -j " + c + " ")
                  || rule.endsWith(" -g " + c) || rule.contains(" -g " + c + " "))) {
            script.append("-D ").append(rule.substring(3)).append('\n');
          }
        }
        chains.forEach(c -> script.append("-F ").append(c).append('\n'));
        chains.forEach(c -> script.append("-X ").append(c).append('\n'));
        script.append("COMMIT\n");
        runWithInput(script.toString(), family + "-restore", "--noflush");
      }
    }
  }

  /** Links the kubelet made in the hard-coded /var/log/containers, shim sockets and libcni's result cache. */
  static void deleteFiles(Path root) {
    Path podLogs = root.resolve("pod-logs");
    for (Path link : containerLogLinks(podLogs)) {
      try {
        Files.deleteIfExists(link);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path tasks = root.resolve("containerd/state/io.containerd.runtime.v2.task");
    if (Files.isDirectory(tasks)) {
      try (Stream<Path> walk = Files.walk(tasks, 3)) {
        for (Path address : walk.filter(p -> p.getFileName().toString().equals("address")).toList()) {
          String socket = Files.readString(address).strip().replaceFirst("^unix://", "");
          if (socket.startsWith("/run/containerd/s/")) {
            Files.deleteIfExists(Path.of(socket));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Path results = Path.of("/var/lib/cni/results");
    if (Files.isDirectory(results)) {
      try (Stream<Path> list = Files.list(results)) {
        for (Path result : list.filter(p -> p.getFileName().toString().startsWith(NodeHost.CNI_NETWORK + "-")).toList()) {
          Files.deleteIfExists(result);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Symbolic links in /var/log/containers that point into {@code podLogs}. */
  private static List<Path> containerLogLinks(Path podLogs) {
    Path dir = Path.of("/var/log/containers");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isSymbolicLink).filter(link -> {
        try {
          return Files.readSymbolicLink(link).startsWith(podLogs);
        } catch (IOException e) {
          return false;
        }
      }).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- commands --------------------------------------------------------------------------------------------

  static String run(String... command) {
    return runWithInput(null, command);
  }

  private static void runQuietly(String... command) {
    try {
      run(command);
    } catch (IllegalStateException e) {
      // already gone
    }
  }

  private static String runWithInput(String input, String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (input != null) {
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command[0], e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command[0], e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
