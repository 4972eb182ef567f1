package io.stackpipe.local.kube;

import io.stackpipe.base.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a node changes on the machine outside its private directory, and how it is all taken back. These are
 * global — the bridge and pod network, iptables chains, the {@code /kubepods} cgroups, a few paths the kubelet
 * and containerd hard-code, {@code net.ipv4.ip_forward} — so one node at a time may run per machine.
 *
 * <p>A node first {@link #claim claims} the machine: under a file lock, it reads the record of the previous
 * node ({@value #RECORD}); a live one is refused, a dead one (its owner and daemons were killed) is mopped up.
 * Then it writes its own record before it starts anything, so whatever it leaves, even after a SIGKILL of every
 * process, the next claim or {@link #release} finds and removes (with {@link NodeMopUp}): processes (daemons,
 * shims, containers), mounts, the bridge and veths, KUBE-/CNI- iptables chains, cgroups,
 * {@code /var/log/containers} links, shim sockets, CNI result files, the directories these versions create, and
 * the original {@code ip_forward}.
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

  /** Whether the node recorded on this machine is the one of the cluster in {@code cluster}. */
  static boolean ownedBy(Path cluster) {
    synchronized (NodeHost.class) {
      Properties record = read();
      return record != null && cluster.toString().equals(record.getProperty("cluster"));
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
    NodeMopUp.run("ip", "link", "add", BRIDGE, "type", "bridge");
    NodeMopUp.run("ip", "addr", "add", NODE_IP + "/24", "dev", BRIDGE);
    NodeMopUp.run("ip", "link", "set", BRIDGE, "up");
  }

  // ---- the mop-up ------------------------------------------------------------------------------------------

  private static void mopUp(Properties record) {
    List<ProcessHandle> daemons = new ArrayList<>();
    for (String key : record.stringPropertyNames()) {
      if (key.startsWith("pid.") && !key.equals("pid.owner")) {
        recorded(record, key.substring(4)).ifPresent(daemons::add);
      }
    }
    NodeMopUp.killProcesses(daemons, ROOT);
    NodeMopUp.unmountUnder(ROOT);
    NodeMopUp.deleteLinks();
    NodeMopUp.deleteIptablesChains();
    NodeMopUp.removeCgroups();
    NodeMopUp.deleteFiles(ROOT);
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
}
