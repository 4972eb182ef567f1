package io.stackpipe.stack;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeRequests;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Stacks of one test on the shared control plane: the test's namespace name is the installation id (so tests
 * never see each other's stacks) and a short prefix derived from it keeps stack namespaces apart.
 */
final class StackFixture implements AutoCloseable {
  static final Instant T0 = Instant.parse("2025-03-03T09:00:00Z");

  final KubeRequests requests = new KubeRequests();
  final KubeConnection kube;
  final TestClock clock = new TestClock(T0);
  final Stacks stacks;
  final String prefix;
  private final KubernetesClient admin;
  private final String installation;

  StackFixture(Path kubeconfig, String testNamespace, KubernetesClient admin) {
    this.admin = admin;
    this.installation = testNamespace;
    this.prefix = "s" + testNamespace.substring(testNamespace.lastIndexOf('-') + 1) + "-";
    this.kube = KubeConnection.fromKubeconfig(kubeconfig, null, requests);
    this.stacks = Stacks.on(kube, installation).withNamespacePrefix(prefix).withClock(clock);
  }

  /** The same installation seen through another connection and clock (a second CLI or CI agent). */
  Stacks other(KubeConnection connection) {
    return Stacks.on(connection, installation).withNamespacePrefix(prefix).withClock(clock);
  }

  String namespace(String stack) {
    return prefix + stack;
  }

  @Override
  public void close() {
    try {
      admin.namespaces().withLabel(Stack.INSTALLATION_LABEL, installation).delete();
      admin.namespaces().withLabel("stackpipe.io/test-prefix", prefix.substring(0, prefix.length() - 1)).delete();
    } finally {
      kube.close();
    }
  }
}
