package io.stackpipe.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Comparator;
import java.util.List;

/**
 * Where a namespace's Services answer: their ClusterIP and ports. On the local node, kube-proxy makes ClusterIPs
 * reachable from the machine itself, so system tests call services at these addresses as pods would.
 */
public final class ServiceAddresses {

  /** One port of a Service: {@code http://clusterIP:port} for an HTTP service. */
  public record ServiceAddress(String service, String portName, String clusterIp, int port) {
    public String url() {
      return "http://" + clusterIp + ":" + port;
    }
  }

  private final KubeConnection connection;

  ServiceAddresses(KubeConnection connection) {
    this.connection = connection;
  }

  /** Every port of every Service with a ClusterIP in {@code namespace}, by Service name. */
  public List<ServiceAddress> list(String namespace) {
    try {
      return connection.client().services().inNamespace(namespace).list().getItems().stream()
          .filter(s -> s.getSpec().getClusterIP() != null && !"None".equals(s.getSpec().getClusterIP()))
          .flatMap(s -> s.getSpec().getPorts().stream().map(p -> new ServiceAddress(s.getMetadata().getName(),
              p.getName(), s.getSpec().getClusterIP(), p.getPort())))
          .sorted(Comparator.comparing(ServiceAddress::service).thenComparing(ServiceAddress::port))
          .toList();
    } catch (KubernetesClientException e) {
      throw connection.translate(e, "list", "services", namespace);
    }
  }

  /** The first port of Service {@code name}. */
  public ServiceAddress of(String name, String namespace) {
    return list(namespace).stream().filter(a -> a.service().equals(name)).findFirst()
        .orElseThrow(() -> new KubeException("service " + name + " in namespace " + namespace
            + ": not found or without a ClusterIP"));
  }
}
