package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** What a refusal of the API server, a dead server and an abort become: one short line each. */
class KubeErrorsTest {

  private static final String SERVER = "https://10.0.0.1:6443 (kubeconfig /home/ci/.kube/config)";

  @Test
  void anAbortIsNoConnectionFailureAndTheThreadStaysInterrupted() {
    var aborted = new KubernetesClientException("An error has occurred.", new InterruptedIOException());
    try {
      KubeException e = KubeErrors.translate(aborted, SERVER, "create", "namespaces", null);

      assertThat(e).hasMessage("interrupted: create namespaces was stopped");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aDeadServerIsNamedWithTheCauseEvenWithoutAMessage() {
    var refused = new KubernetesClientException("An error has occurred.", new ConnectException());

    assertThat(KubeErrors.translate(refused, SERVER, "get", "namespaces", null))
        .hasMessage("cannot reach the Kubernetes API at " + SERVER + ": ConnectException");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void anObjectDumpInTheServersMessageIsDroppedAndItsOwnWordsKept() {
    String dump = "v1.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Name:\"\", ManagedFields:[]v1.ManagedFieldsEntry{"
        + "v1.ManagedFieldsEntry{Manager:\"kubectl\", Operation:\"Update\"}}}, Spec:v1.PodSpec{"
        + "x".repeat(6000) + "}}";
    String message = "Deployment.apps \"orders\" is invalid: spec.template: Invalid value: " + dump
        + ": field is immutable";
    var invalid = new KubernetesClientException(new StatusBuilder().withCode(422).withMessage(message).build());

    KubeException e = KubeErrors.translate(invalid, SERVER, "patch", "deployments", "team-a");

    assertThat(e).hasMessage("patch deployments in namespace team-a failed: HTTP 422: Deployment.apps \"orders\""
        + " is invalid: spec.template: Invalid value: v1.PodTemplateSpec{\u2026}: field is immutable");
  }

  @Test
  void shortBracketsStayAndAnUnclosedOneIsCut() {
    assertThat(KubeErrors.firstLine("spec.ports[0].port: Invalid value: map[string]string{\"a\":\"b\"}: bad"))
        .isEqualTo("spec.ports[0].port: Invalid value: map[string]string{\"a\":\"b\"}: bad");
    assertThat(KubeErrors.firstLine("broken {" + "y".repeat(2000))).hasSize(601).endsWith("\u2026");
  }
}
