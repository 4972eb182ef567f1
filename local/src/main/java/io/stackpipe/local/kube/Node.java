package io.stackpipe.local.kube;

import io.stackpipe.base.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The configuration of the one worker node beside a {@link ControlPlane}: kube-scheduler, containerd (private
 * root, state and socket; overlayfs; runc with cgroupfs), the kubelet (private root and log folders, serving
 * certificate from the cluster CA) and kube-proxy (iptables), on a bridge CNI network with host-local IPAM. The
 * bridge address is the node IP, and the API server advertises it, so pods reach the API through the
 * {@code kubernetes} Service. Every file lives under {@code root} ({@link NodeHost#ROOT}: one node per machine);
 * what else it changes on the host is {@link NodeHost}'s.
 *
 * <p>Images come from registries over plain HTTP ({@code hosts.toml} per registry host), including the pause
 * image, which {@link ControlPlane} builds from source and pushes before the node starts.
 */
final class Node {

  static final String NAME = "stackpipe-node";
  static final String CLUSTER_CIDR = "10.244.0.0/16";
  static final String PAUSE_REPOSITORY = "stackpipe/pause";
  static final String PAUSE_TAG = "3.10";

  private final Path root;
  private final KubeBinaries binaries;

  Node(Path root, KubeBinaries binaries) {
    this.root = root;
    this.binaries = binaries;
  }

  Path containerdSocket() {
    return root.resolve("containerd/containerd.sock");
  }

  static String pauseImage(String registryHost) {
    return registryHost + "/" + PAUSE_REPOSITORY + ":" + PAUSE_TAG;
  }

  /** Lets containerd pull from {@code host} (host:port) over plain HTTP; takes effect at the next pull. */
  static void trustRegistry(Path root, String host) {
    try {
      Path dir = Files.createDirectories(root.resolve("certs.d").resolve(host));
      Files.writeString(dir.resolve("hosts.toml"), """
          server = "http://%1$s"
          [host."http://%1$s"]
            capabilities = ["pull", "resolve"]
          """.formatted(host));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes certificates, kubeconfigs and the daemons' configuration files. {@code kubeconfig} makes a
   * kubeconfig for a client certificate of the cluster CA.
   */
  void configure(Pki pki, KubeconfigWriter kubeconfig, String registryHost) throws IOException {
    Files.createDirectories(root.resolve("pki"));
    Files.writeString(root.resolve("pki/ca.crt"), pki.ca().certificatePem());
    Pki.Credential serving = pki.serving("kubelet", List.of(NAME, "localhost"), List.of(NodeHost.NODE_IP, "127.0.0.1"));
    Files.writeString(root.resolve("pki/kubelet-serving.crt"), serving.certificatePem());
    Pki.writePrivate(root.resolve("pki/kubelet-serving.key"), serving.keyPem());
    kubeconfig.write(root.resolve("kubelet.kubeconfig"), "system:node:" + NAME, Set.of("system:nodes"));
    kubeconfig.write(root.resolve("scheduler.kubeconfig"), "system:kube-scheduler", Set.of());
    kubeconfig.write(root.resolve("kube-proxy.kubeconfig"), "system:kube-proxy", Set.of());
    trustRegistry(root, registryHost);

    Files.createDirectories(root.resolve("cni/net.d"));
    Files.writeString(root.resolve("cni/net.d/10-stackpipe.conflist"), """
        {
          "cniVersion": "0.4.0",
          "name": "%s",
          "plugins": [
            {
              "type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": true, "hairpinMode": true,
              "ipam": {
                "type": "host-local",
                "ranges": [[{"subnet": "%s", "gateway": "%s"}]],
                "routes": [{"dst": "0.0.0.0/0"}],
                "dataDir": "%s"
              }
            },
            {"type": "portmap", "capabilities": {"portMappings": true}}
          ]
        }
        """.formatted(NodeHost.CNI_NETWORK, NodeHost.BRIDGE, NodeHost.POD_SUBNET, NodeHost.NODE_IP,
        root.resolve("cni/ipam")));

    Path containerd = root.resolve("containerd");
    Files.writeString(root.resolve("containerd.toml"), """
        version = 2
        root = "%1$s/root"
        state = "%1$s/state"
        oom_score = 0

        [grpc]
          address = "%2$s"
        [ttrpc]
          address = "%2$s.ttrpc"

        [plugins."io.containerd.internal.v1.opt"]
          path = "%1$s/opt"

        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "%3$s"
          stream_server_address = "127.0.0.1"
          stream_server_port = "0"
          enable_selinux = false
          disable_apparmor = true
          # This machine kind lacks CAP_SYS_RESOURCE: runc may not lower oom_score_adj, so keep containerd's own.
          restrict_oom_score_adj = true
          max_container_log_line_size = 16384
          netns_mounts_under_state_dir = true
          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = false
                BinaryName = "/usr/sbin/runc"
                Root = "%4$s"
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "/usr/lib/cni"
            conf_dir = "%5$s"
            max_conf_num = 1
          [plugins."io.containerd.grpc.v1.cri".registry]
            config_path = "%6$s"
        """.formatted(containerd, containerdSocket(), pauseImage(registryHost), root.resolve("runc"),
        root.resolve("cni/net.d"), root.resolve("certs.d")));

    Files.writeString(root.resolve("kubelet.yaml"), """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        containerRuntimeEndpoint: unix://%1$s
        cgroupDriver: cgroupfs
        failSwapOn: false
        address: %2$s
        port: %3$d
        readOnlyPort: 0
        healthzBindAddress: 127.0.0.1
        healthzPort: %4$d
        tlsCertFile: %5$s/pki/kubelet-serving.crt
        tlsPrivateKeyFile: %5$s/pki/kubelet-serving.key
        authentication:
          anonymous: {enabled: false}
          webhook: {enabled: true}
          x509: {clientCAFile: %5$s/pki/ca.crt}
        authorization:
          mode: Webhook
        podLogsDir: %5$s/pod-logs
        volumePluginDir: %5$s/kubelet-plugins
        # Images are pulled once from registries that may be gone later (the demo's): never collect them.
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        evictionHard: {memory.available: "50Mi", nodefs.available: "1%%", nodefs.inodesFree: "1%%", imagefs.available: "1%%"}
        syncFrequency: 10s
        fileCheckFrequency: 20s
        nodeStatusReportFrequency: 1m
        serializeImagePulls: false
        maxPods: 50
        resolvConf: /etc/resolv.conf
        registerNode: true
        # Without CAP_SYS_RESOURCE the kubelet cannot move itself to -999.
        oomScoreAdj: 0
        """.formatted(containerdSocket(), NodeHost.NODE_IP, Ports.free(), Ports.free(), root));

    Files.writeString(root.resolve("kube-proxy.yaml"), """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        clientConnection: {kubeconfig: %s}
        hostnameOverride: %s
        mode: iptables
        clusterCIDR: %s
        bindAddress: 127.0.0.1
        healthzBindAddress: 127.0.0.1:%d
        metricsBindAddress: 127.0.0.1:%d
        # Else kube-proxy sets net.ipv4.conf.all.route_localnet=1 on the host.
        # Rules follow endpoint changes at once (default: at most one sync a second): a Ready release is reachable.
        iptables: {localhostNodePorts: false, minSyncPeriod: 0s}
        # Leave the host's conntrack sysctls alone.
        conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
        """.formatted(root.resolve("kube-proxy.kubeconfig"), NAME, CLUSTER_CIDR, Ports.free(), Ports.free()));
  }

  List<String> scheduler() {
    Path kubeconfig = root.resolve("scheduler.kubeconfig");
    return List.of(binaries.scheduler().toString(), "--kubeconfig=" + kubeconfig,
        "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig,
        "--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0", "--profiling=false", "--v=1");
  }

  List<String> containerd() {
    return List.of("containerd", "--config", root.resolve("containerd.toml").toString());
  }

  List<String> kubelet() {
    return List.of(binaries.kubelet().toString(), "--config=" + root.resolve("kubelet.yaml"),
        "--kubeconfig=" + root.resolve("kubelet.kubeconfig"), "--root-dir=" + root.resolve("kubelet"),
        "--cert-dir=" + root.resolve("kubelet/pki"), "--hostname-override=" + NAME,
        "--node-ip=" + NodeHost.NODE_IP, "--v=1");
  }

  List<String> kubeProxy() {
    return List.of(binaries.kubeProxy().toString(), "--config=" + root.resolve("kube-proxy.yaml"), "--v=1");
  }

  /** Pulls the pause image into the CRI's namespace now, so sandboxes need no registry later. */
  List<String> pullPause(String registryHost) {
    return List.of("ctr", "--address", containerdSocket().toString(), "--namespace", "k8s.io", "images", "pull",
        "--hosts-dir", root.resolve("certs.d").toString(), pauseImage(registryHost));
  }

  @FunctionalInterface
  interface KubeconfigWriter {
    void write(Path file, String user, Set<String> groups) throws IOException;
  }
}
