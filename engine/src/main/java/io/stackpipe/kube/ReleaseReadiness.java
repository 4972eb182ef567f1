package io.stackpipe.kube;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Waits until a Helm release's Deployments are Ready — every replica updated, ready and available — and its
 * Services have ready endpoints, and, when they are not, says why in one line that names the pod and its container's state. A container that cannot start
 * ({@code ImagePullBackOff}, {@code CrashLoopBackOff}, a bad image name or configuration) fails at once: waiting
 * longer would not change it. Anything else (a failing readiness probe, a pod that cannot be scheduled) fails when
 * the timeout runs out, with the latest probe failure or scheduling event.
 */
final class ReleaseReadiness {

  /** Container states the kubelet only leaves by giving up on the container: no use waiting for them. */
  private static final Set<String> HOPELESS = Set.of("ImagePullBackOff", "CrashLoopBackOff", "InvalidImageName",
      "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError");
  private static final Duration POLL = Duration.ofMillis(250);

  private final KubeConnection connection;

  ReleaseReadiness(KubeConnection connection) {
    this.connection = connection;
  }

  /** Returns when every Deployment of release {@code name} is Ready; otherwise throws with the reason. */
  void await(String name, String namespace, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        List<Deployment> waiting = deployments(name, namespace).stream().filter(d -> !ready(d)).toList();
        if (waiting.isEmpty()) {
          List<String> unserved = servicesWithoutReadyEndpoints(name, namespace);
          if (unserved.isEmpty()) {
            return;
          }
          if (System.nanoTime() > deadline) {
            throw new ReadinessException("not Ready after " + timeout.toSeconds() + " s: service " + unserved.get(0)
                + " has no ready endpoint (does its selector match the pods?)");
          }
          Thread.sleep(POLL.toMillis());
          continue;
        }
        for (Deployment deployment : waiting) {
          Optional<String> hopeless = pods(deployment).stream().map(ReleaseReadiness::hopeless)
              .flatMap(Optional::stream).findFirst();
          if (hopeless.isPresent()) {
            throw new ReadinessException(hopeless.get());
          }
        }
        if (System.nanoTime() > deadline) {
          Deployment first = waiting.get(0);
          throw new ReadinessException("not Ready after " + timeout.toSeconds() + " s: " + explain(first));
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (KubernetesClientException e) {
      throw connection.translate(e, "watch", "deployments", namespace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReadinessException("interrupted while waiting for release " + name + " to be Ready");
    }
  }

  /** The one-line reason of a readiness failure. */
  static final class ReadinessException extends KubeException {
    ReadinessException(String message) {
      super(message);
    }
  }

  /** Helm annotates every object of a release with its name. */
  private List<Deployment> deployments(String release, String namespace) {
    return connection.client().apps().deployments().inNamespace(namespace).list().getItems().stream()
        .filter(d -> d.getMetadata().getAnnotations() != null
            && release.equals(d.getMetadata().getAnnotations().get("meta.helm.sh/release-name")))
        .sorted(Comparator.comparing(d -> d.getMetadata().getName()))
        .toList();
  }

  /**
   * Services of the release that select pods but have no ready endpoint yet: until the endpoint controller has
   * added the ready pods, a client of the Service is refused even though the Deployment is Ready.
   */
  private List<String> servicesWithoutReadyEndpoints(String release, String namespace) {
    return connection.client().services().inNamespace(namespace).list().getItems().stream()
        .filter(s -> s.getMetadata().getAnnotations() != null
            && release.equals(s.getMetadata().getAnnotations().get("meta.helm.sh/release-name")))
        .filter(s -> s.getSpec().getSelector() != null && !s.getSpec().getSelector().isEmpty())
        .map(s -> s.getMetadata().getName())
        .filter(service -> connection.client().discovery().v1().endpointSlices().inNamespace(namespace)
            .withLabel("kubernetes.io/service-name", service).list().getItems().stream()
            .flatMap(slice -> Optional.ofNullable(slice.getEndpoints()).orElse(List.of()).stream())
            .noneMatch(e -> e.getConditions() != null && Boolean.TRUE.equals(e.getConditions().getReady())))
        .sorted()
        .toList();
  }

  private static boolean ready(Deployment d) {
    var status = d.getStatus();
    int wanted = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return status != null
        && status.getObservedGeneration() != null && status.getObservedGeneration() >= d.getMetadata().getGeneration()
        && count(status.getUpdatedReplicas()) == wanted
        && count(status.getReadyReplicas()) == wanted
        && count(status.getAvailableReplicas()) == wanted
        && count(status.getReplicas()) == wanted; // no old pod left
  }

  private static int count(Integer n) {
    return n == null ? 0 : n;
  }

  /** The Deployment's pods that are not ready, newest first: with an upgrade, those of the new revision. */
  private List<Pod> pods(Deployment deployment) {
    return connection.client().pods().inNamespace(deployment.getMetadata().getNamespace())
        .withLabels(deployment.getSpec().getSelector().getMatchLabels()).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> !podReady(p))
        .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp()).reversed()
            .thenComparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private static boolean podReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static Optional<String> hopeless(Pod pod) {
    return containerStatuses(pod)
        .filter(c -> c.getState() != null && c.getState().getWaiting() != null
            && HOPELESS.contains(c.getState().getWaiting().getReason())
            && !transientSync(c.getState().getWaiting().getMessage()))
        .findFirst()
        .map(c -> "pod " + pod.getMetadata().getName() + ": " + describe(c));
  }

  /**
   * A busy kubelet reports CreateContainerConfigError "failed to sync secret cache: timed out waiting for the
   * condition" (or configmap) while its informer catches up, then starts the container: that one is worth waiting for.
   */
  private static boolean transientSync(String message) {
    return message != null && message.startsWith("failed to sync ") && message.contains("cache");
  }

  private static Stream<ContainerStatus> containerStatuses(Pod pod) {
    if (pod.getStatus() == null) {
      return Stream.empty();
    }
    return Stream.concat(
        Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).orElse(List.of()).stream(),
        Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of()).stream());
  }

  /** "container orders CrashLoopBackOff (exit code 1, 2 restarts)", "container x ImagePullBackOff (image ...)". */
  private static String describe(ContainerStatus c) {
    var waiting = c.getState().getWaiting();
    String detail;
    if ("CrashLoopBackOff".equals(waiting.getReason()) || "RunContainerError".equals(waiting.getReason())) {
      var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
      detail = (last == null ? "" : "exit code " + last.getExitCode() + ", ") + c.getRestartCount() + " restarts";
    } else if (waiting.getReason().contains("Image")) {
      detail = "image " + c.getImage();
    } else {
      detail = oneLine(waiting.getMessage());
    }
    return "container " + c.getName() + " " + waiting.getReason() + " (" + detail + ")";
  }

  /** Why a Deployment is not Ready when nothing is hopeless: the newest pod's latest warning, or its state. */
  private String explain(Deployment deployment) {
    String name = deployment.getMetadata().getName();
    var status = deployment.getStatus();
    int wanted = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    String counts = "deployment " + name + " " + (status == null ? 0 : count(status.getReadyReplicas())) + "/"
        + wanted + " ready";
    List<Pod> pods = pods(deployment);
    if (pods.isEmpty()) {
      return counts + " (no pod yet)";
    }
    Pod pod = pods.get(0);
    String podName = pod.getMetadata().getName();
    Optional<Event> warning = connection.client().v1().events().inNamespace(pod.getMetadata().getNamespace())
        .withField("involvedObject.name", podName).list().getItems().stream()
        .filter(e -> "Warning".equals(e.getType()))
        .max(Comparator.comparing(e -> Objects.requireNonNullElse(e.getLastTimestamp(),
            Objects.requireNonNullElse(e.getFirstTimestamp(), ""))));
    if (warning.isPresent()) {
      return counts + "; pod " + podName + ": " + warning.get().getReason() + ": " + oneLine(warning.get().getMessage());
    }
    String states = containerStatuses(pod).map(c -> "container " + c.getName() + (c.getReady() ? " ready"
        : c.getState().getWaiting() != null ? " " + c.getState().getWaiting().getReason() : " not ready"))
        .reduce((a, b) -> a + ", " + b).orElse("phase " + pod.getStatus().getPhase());
    return counts + "; pod " + podName + ": " + states;
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s+", " ").strip();
  }
}
