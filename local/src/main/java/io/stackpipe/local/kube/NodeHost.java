package io.stackpipe.local.kube;

import io.stackpipe.base.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a node changes on the machine outside its private directory, and how it is all taken back. These are
 * global — the bridge and pod network, iptables chains, the {@code /kubepods} cgroups, a few paths the kubelet
 * and containerd hard-code, {@code net.ipv4.ip_forward} — so one node at a time may run per machine.
 *
 * <p>A node first {@link #claim claims} the machine: under a file lock, it reads the record of the previous
 * node ({@value #RECORD}); a live one is refused, a dead one (its owner and daemons were killed) is mopped up.
 * Then it writes its own record before it starts anything, so whatever it leaves, even after a SIGKILL of every
 * process, the next claim or {@link #release} finds and removes: processes (daemons, shims, containers), mounts,
 * the bridge and veths, KUBE-/CNI- iptables chains, cgroups, {@code /var/log/containers} links, shim sockets,
 * CNI result files, the directories these versions create, and the original {@code ip_forward}.
 */
final class NodeHost {

  static final String BRIDGE = "stackpipe0";
  static final String NODE_IP = "10.244.0.1";
  static final String POD_SUBNET = "10.244.0.0/24";
  static final String CNI_NETWORK = "stackpipe";
  static final Path RECORD = Path.of("/run/stackpipe-node.properties");
  /**
   * The node's own files: fixed, since there is one node per machine, and short, since containerd's and the
   * kubelet's unix sockets live below it (at most 107 bytes per socket path).
   */
  static final Path ROOT = Path.of("/var/lib/stackpipe-node");
  private static final Path LOCK = Path.of("/run/stackpipe-node.lock");
  private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
  private static final String POD_CGROUP = "kubepods";
  /** Paths the kubelet, containerd and libcni write whatever their configuration says; removed if we made them. */
  private static final List<Path> GLOBAL_DIRS = List.of(Path.of("/var/lib/kubelet"), Path.of("/var/log/containers"),
      Path.of("/var/lib/cni"), Path.of("/run/containerd"));

  private NodeHost() {
  }

  /**
   * Claims the machine for the node of the cluster in {@code cluster}: refuses while another node lives, mops up
   * after a dead one, records this one, and creates the bridge that carries the node IP.
   */
  static void claim(Path cluster) {
    synchronized (NodeHost.class) {
      try (FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock lock = channel.lock()) {
        Properties previous = read();
        if (previous != null) {
          List<String> live = liveProcesses(previous);
          if (!live.isEmpty()) {
            throw new IllegalStateException("a Kubernetes node already runs on this machine (from "
                + previous.getProperty("cluster") + ", " + String.join(", ", live)
                + "): only one can run at a time; stop it first (stackpipe cluster stop)");
          }
          mopUp(previous);
        }
        Properties record = new Properties();
        record.setProperty("cluster", cluster.toString());
        FileTrees.delete(ROOT); // nothing mounted: the mop-up above ran, or no node ever did
        record.setProperty("pid.owner", Long.toString(ProcessHandle.current().pid()));
        ProcessHandle.current().info().startInstant()
            .ifPresent(t -> record.setProperty("start.owner", Long.toString(t.toEpochMilli())));
        record.setProperty("ip_forward", Files.readString(IP_FORWARD).strip());
        for (Path dir : GLOBAL_DIRS) {
          record.setProperty("existed." + dir, Boolean.toString(Files.exists(dir)));
        }
        write(record);
        createBridge();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot claim the machine for a node", e);
      }
    }
  }

  /** Records a daemon's PID so that a later mop-up can find it even if this JVM is gone. */
  static void recordProcess(String name, ProcessHandle process) {
    synchronized (NodeHost.class) {
      Properties record = read();
      if (record == null) {
        return;
      }
      record.setProperty("pid." + name, Long.toString(process.pid()));
      process.info().startInstant().ifPresent(t -> record.setProperty("start." + name, Long.toString(t.toEpochMilli())));
      write(record);
    }
  }

  /** The owner of a detached node is gone once it started; from then on only its daemons keep it alive. */
  static void disown() {
    synchronized (NodeHost.class) {
      Properties record = read();
      if (record != null) {
        record.remove("pid.owner");
        record.remove("start.owner");
        write(record);
      }
    }
  }

  /** Takes back everything the node of the cluster in {@code cluster} changed on the machine; kills what still runs. */
  static void release(Path cluster) {
    synchronized (NodeHost.class) {
      try (FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock lock = channel.lock()) {
        Properties record = read();
        if (record != null && cluster.toString().equals(record.getProperty("cluster"))) {
          mopUp(record);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot release the node's machine state", e);
      }
    }
  }

  // ---- the record ------------------------------------------------------------------------------------------

  private static Properties read() {
    if (!Files.exists(RECORD)) {
      return null;
    }
    Properties record = new Properties();
    try (var in = Files.newBufferedReader(RECORD)) {
      record.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return record;
  }

  private static void write(Properties record) {
    try {
      Path temp = RECORD.resolveSibling(RECORD.getFileName() + ".tmp");
      try (var out = Files.newBufferedWriter(temp)) {
        record.store(out, "the Kubernetes node running on this machine; see docs/kubernetes.md");
      }
      Files.move(temp, RECORD, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Recorded processes still running, as "name PID"; a PID now used by another process does not count. */
  private static List<String> liveProcesses(Properties record) {
    List<String> live = new ArrayList<>();
    for (String key : record.stringPropertyNames()) {
      if (key.startsWith("pid.")) {
        String name = key.substring(4);
        recorded(record, name).ifPresent(h -> live.add(name + " " + h.pid()));
      }
    }
    return live;
  }

  private static java.util.Optional<ProcessHandle> recorded(Properties record, String name) {
    String start = record.getProperty("start." + name);
    return ProcessHandle.of(Long.parseLong(record.getProperty("pid." + name)))
        .filter(ProcessHandle::isAlive)
        .filter(h -> start == null || h.info().startInstant()
            .map(t -> Math.abs(t.toEpochMilli() - Long.parseLong(start)) < 1000).orElse(false));
  }

  // ---- the bridge ------------------------------------------------------------------------------------------

  private static void createBridge() {
    run("ip", "link", "add", BRIDGE, "type", "bridge");
    run("ip", "addr", "add", NODE_IP + "/24", "dev", BRIDGE);
    run("ip", "link", "set", BRIDGE, "up");
  }

  // ---- the mop-up ------------------------------------------------------------------------------------------

  private static void mopUp(Properties record) {
    killProcesses(record, ROOT);
    unmountUnder(ROOT);
    deleteLinks();
    deleteIptablesChains();
    removeCgroups();
    deleteFiles(ROOT);
    FileTrees.delete(ROOT);
    for (Path dir : GLOBAL_DIRS) {
      if ("false".equals(record.getProperty("existed." + dir))) {
        FileTrees.deleteQuietly(dir);
      }
    }
    String forward = record.getProperty("ip_forward");
    if (forward != null) {
      try {
        Files.writeString(IP_FORWARD, forward);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot restore net.ipv4.ip_forward", e);
      }
    }
    try {
      Files.deleteIfExists(RECORD);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Daemons first, then the shims (they outlive containerd by design) and every process left in the pod
   * cgroups (they outlive a killed shim).
   */
  private static void killProcesses(Properties record, Path root) {
    List<ProcessHandle> doomed = new ArrayList<>();
    for (String key : record.stringPropertyNames()) {
      if (key.startsWith("pid.") && !key.equals("pid.owner")) {
        recorded(record, key.substring(4)).ifPresent(doomed::add);
      }
    }
    kill(doomed);
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

  private static void removeCgroups() {
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

  private static void unmountUnder(Path root) {
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
  private static void deleteLinks() {
    for (String veth : bridgePorts()) {
      runQuietly("ip", "link", "delete", veth);
    }
    if (bridgeExists()) {
      run("ip", "link", "delete", BRIDGE);
    }
  }

  private static boolean bridgeExists() {
    return Files.exists(Path.of("/sys/class/net", BRIDGE));
  }

  /** Interfaces attached to the bridge. */
  private static List<String> bridgePorts() {
    Path ports = Path.of("/sys/class/net", BRIDGE, "brif");
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

  private static void deleteIptablesChains() {
    for (String family : IPTABLES) {
      for (String table : TABLES) {
        List<String> rules = run(family + "-save", "-t", table).lines().toList();
        List<String> chains = rules.stream().filter(l -> l.startsWith(":"))
            .map(l -> l.substring(1, l.indexOf(' '))).filter(NodeHost::isNodeChain).toList();
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
  private static void deleteFiles(Path root) {
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
        for (Path result : list.filter(p -> p.getFileName().toString().startsWith(CNI_NETWORK + "-")).toList()) {
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

  private static String run(String... command) {
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
