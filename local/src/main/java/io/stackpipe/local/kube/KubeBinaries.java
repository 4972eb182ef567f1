package io.stackpipe.local.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The pinned etcd, kube-apiserver, kube-controller-manager (and, for a node, kube-scheduler, kubelet and
 * kube-proxy) binaries that {@code scripts/kube-binaries.sh}
 * builds into the user cache. Missing binaries are an error, never a skipped test.
 */
public record KubeBinaries(Path directory, String kubernetesVersion, String etcdVersion) {

  /** Overrides the binary directory (system property first, then environment). */
  public static final String BIN_PROPERTY = "stackpipe.kube.bin";
  public static final String BIN_ENV = "STACKPIPE_KUBE_BIN";

  public static KubeBinaries locate() {
    Properties versions = new Properties();
    try (InputStream in = KubeBinaries.class.getResourceAsStream("versions.properties")) {
      versions.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String kubernetes = versions.getProperty("kubernetes");
    String etcd = versions.getProperty("etcd");
    String override = System.getProperty(BIN_PROPERTY, System.getenv(BIN_ENV));
    Path directory = override != null && !override.isBlank()
        ? Path.of(override)
        : cacheHome().resolve("stackpipe/kube/" + kubernetes + "-etcd-" + etcd + "/bin");
    KubeBinaries binaries = new KubeBinaries(directory, kubernetes, etcd);
    return binaries.require(binaries.etcd(), binaries.apiServer(), binaries.controllerManager());
  }

  public Path etcd() {
    return directory.resolve("etcd");
  }

  public Path apiServer() {
    return directory.resolve("kube-apiserver");
  }

  public Path controllerManager() {
    return directory.resolve("kube-controller-manager");
  }

  public Path scheduler() {
    return directory.resolve("kube-scheduler");
  }

  public Path kubelet() {
    return directory.resolve("kubelet");
  }

  public Path kubeProxy() {
    return directory.resolve("kube-proxy");
  }

  /** Fails with the command that provides them when the node's binaries are missing. */
  KubeBinaries requireNode() {
    return require(scheduler(), kubelet(), kubeProxy());
  }

  private KubeBinaries require(Path... binaries) {
    for (Path binary : binaries) {
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(binary + " is missing: run scripts/kube-binaries.sh (scripts/setup runs it)"
            + " or point " + BIN_ENV + " at a directory with the Kubernetes binaries and etcd");
      }
    }
    return this;
  }

  private static Path cacheHome() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    return xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
  }
}
