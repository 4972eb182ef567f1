package io.stackpipe.local.kube;

import io.stackpipe.base.Ports;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The configuration of a {@link ControlPlane}'s own daemons — etcd, kube-apiserver and kube-controller-manager — as
 * {@link Node} is the node's: the certificates and kubeconfigs in its directory, free loopback ports, and the
 * command lines.
 */
final class ControlPlaneConfig {

  static final String ADMIN_KUBECONFIG = "kubeconfig";
  private static final String TOKEN_WEBHOOK_KUBECONFIG = "token-webhook.kubeconfig";
  private static final String SERVICE_CIDR = "10.0.0.0/24";

  private final Path directory;
  private final Path pkiDir;
  private final KubeBinaries binaries;
  private final boolean withNode;
  private final URI tokenWebhook;
  private final Pki pki;
  private final Pki.Credential admin;
  private final String etcdUrl;
  private final String peerUrl;
  private final String apiAddress;
  private final int apiPort;
  private final URI server;

  private ControlPlaneConfig(Path directory, KubeBinaries binaries, boolean withNode, URI tokenWebhook)
      throws IOException {
    this.directory = directory;
    this.binaries = binaries;
    this.withNode = withNode;
    this.tokenWebhook = tokenWebhook;
    this.pkiDir = Files.createDirectories(directory.resolve("pki"));
    this.pki = Pki.create();
    Files.writeString(pkiDir.resolve("ca.crt"), pki.ca().certificatePem());
    List<String> addresses = withNode ? List.of("127.0.0.1", "10.0.0.1", NodeHost.NODE_IP)
        : List.of("127.0.0.1", "10.0.0.1");
    Pki.Credential serving = pki.serving("kube-apiserver",
        List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local"),
        addresses);
    Files.writeString(pkiDir.resolve("apiserver.crt"), serving.certificatePem() + pki.ca().certificatePem());
    Pki.writePrivate(pkiDir.resolve("apiserver.key"), serving.keyPem());
    Pki.writeServiceAccountKeys(pkiDir.resolve("sa.key"), pkiDir.resolve("sa.pub"));

    this.etcdUrl = "http://127.0.0.1:" + Ports.free();
    this.peerUrl = "http://127.0.0.1:" + Ports.free();
    this.apiPort = Ports.free();
    // With a node the API listens on the bridge address only: the host reaches it like any local address,
    // and pods through the "kubernetes" Service, whose endpoint the API server publishes.
    this.apiAddress = withNode ? NodeHost.NODE_IP : "127.0.0.1";
    this.server = URI.create("https://" + apiAddress + ":" + apiPort);
    this.admin = pki.client(ControlPlane.ADMIN_USER, Set.of("system:masters"));
    Pki.writePrivate(directory.resolve(ADMIN_KUBECONFIG), kubeconfigYaml(ControlPlane.ADMIN_USER, admin));
    // The controller manager acts with cluster-admin rights rather than one service account per controller:
    // that would add a token round trip per controller to every start, for no behaviour tests can see.
    Pki.writePrivate(directory.resolve("controller-manager.kubeconfig"),
        kubeconfigYaml("system:kube-controller-manager", pki.client("system:kube-controller-manager",
            Set.of("system:masters"))));
    if (withNode) {
      Pki.Credential kubeletClient = pki.client("kube-apiserver-kubelet-client", Set.of("system:masters"));
      Files.writeString(pkiDir.resolve("apiserver-kubelet-client.crt"), kubeletClient.certificatePem());
      Pki.writePrivate(pkiDir.resolve("apiserver-kubelet-client.key"), kubeletClient.keyPem());
    }
    if (tokenWebhook != null) {
      Files.writeString(directory.resolve(TOKEN_WEBHOOK_KUBECONFIG), """
          apiVersion: v1
          kind: Config
          clusters:
          - name: authenticator
            cluster:
              server: %s
          users:
          - name: kube-apiserver
            user: {}
          contexts:
          - name: authenticator
            context:
              cluster: authenticator
              user: kube-apiserver
          current-context: authenticator
          """.formatted(quote(tokenWebhook.toString())));
    }
  }

  /** Generates the CA and writes the certificates, keys and kubeconfigs into {@code directory}. */
  static ControlPlaneConfig write(Path directory, KubeBinaries binaries, boolean withNode, URI tokenWebhook)
      throws IOException {
    return new ControlPlaneConfig(directory, binaries, withNode, tokenWebhook);
  }

  URI server() {
    return server;
  }

  Pki pki() {
    return pki;
  }

  /** The admin's TLS context, for probes the JDK's HTTP client makes. */
  SSLContext adminTls() {
    return pki.tlsContext(admin);
  }

  /** Writes a kubeconfig for {@code user} in {@code groups}, with a new client certificate of the cluster CA. */
  void writeKubeconfig(Path file, String user, Set<String> groups) throws IOException {
    Pki.writePrivate(file, kubeconfigYaml(user, pki.client(user, groups)));
  }

  List<String> etcd() {
    return List.of(binaries.etcd().toString(),
        "--name=stackpipe", "--data-dir=" + directory.resolve("etcd"),
        "--listen-client-urls=" + etcdUrl, "--advertise-client-urls=" + etcdUrl,
        "--listen-peer-urls=" + peerUrl, "--initial-advertise-peer-urls=" + peerUrl,
        "--initial-cluster=stackpipe=" + peerUrl,
        // Throwaway data: skipping fsync makes every write (and so the whole suite) much faster.
        "--unsafe-no-fsync=true", "--log-level=warn");
  }

  List<String> apiServer() {
    List<String> command = new ArrayList<>(List.of(binaries.apiServer().toString(),
        "--etcd-servers=" + etcdUrl,
        "--bind-address=" + apiAddress, "--advertise-address=" + apiAddress, "--secure-port=" + apiPort,
        "--cert-dir=" + pkiDir,
        "--tls-cert-file=" + pkiDir.resolve("apiserver.crt"),
        "--tls-private-key-file=" + pkiDir.resolve("apiserver.key"),
        "--client-ca-file=" + pkiDir.resolve("ca.crt"),
        "--authorization-mode=Node,RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + pkiDir.resolve("sa.pub"),
        "--service-account-signing-key-file=" + pkiDir.resolve("sa.key"),
        "--service-cluster-ip-range=" + SERVICE_CIDR,
        // A loopback address may not be a Service endpoint: without a node, publish none for "kubernetes".
        withNode ? "--endpoint-reconciler-type=lease" : "--endpoint-reconciler-type=none",
        "--allow-privileged=true", "--profiling=false", "--v=1"));
    if (withNode) {
      command.addAll(List.of(
          // logs, exec and port-forward: the API server calls the kubelet as a client of the cluster CA
          "--kubelet-client-certificate=" + pkiDir.resolve("apiserver-kubelet-client.crt"),
          "--kubelet-client-key=" + pkiDir.resolve("apiserver-kubelet-client.key"),
          "--kubelet-certificate-authority=" + pkiDir.resolve("ca.crt"),
          "--kubelet-preferred-address-types=InternalIP"));
    }
    if (tokenWebhook != null) {
      command.addAll(List.of(
          "--authentication-token-webhook-config-file=" + directory.resolve(TOKEN_WEBHOOK_KUBECONFIG),
          "--authentication-token-webhook-version=v1",
          // The default caches a verdict for 2 minutes: an expired token would keep working.
          "--authentication-token-webhook-cache-ttl=0s"));
    }
    return command;
  }

  List<String> controllerManager() {
    return List.of(binaries.controllerManager().toString(),
        "--kubeconfig=" + directory.resolve("controller-manager.kubeconfig"),
        // A node needs them all (deployments, replica sets, endpoints, node lifecycle...).
        withNode ? "--controllers=*" : "--controllers=namespace-controller,garbage-collector-controller,"
            + "serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller",
        "--service-account-private-key-file=" + pkiDir.resolve("sa.key"),
        "--root-ca-file=" + pkiDir.resolve("ca.crt"),
        "--leader-elect=false",
        // else it creates /usr/libexec/kubernetes/kubelet-plugins on the host
        "--flex-volume-plugin-dir=" + directory.resolve("kubelet-plugins"),
        "--bind-address=127.0.0.1", "--secure-port=0", "--profiling=false", "--v=1");
  }

  private String kubeconfigYaml(String user, Pki.Credential credential) {
    Base64.Encoder b64 = Base64.getEncoder();
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: stackpipe
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - name: stackpipe
          context:
            cluster: stackpipe
            user: %s
        current-context: stackpipe
        """.formatted(server, b64.encodeToString(pki.ca().certificatePem().getBytes(StandardCharsets.US_ASCII)),
        quote(user), b64.encodeToString(credential.certificatePem().getBytes(StandardCharsets.US_ASCII)),
        b64.encodeToString(credential.keyPem().getBytes(StandardCharsets.US_ASCII)), quote(user));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
