package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** Which waiting containers end the wait at once, and which are worth waiting for. */
class ReleaseReadinessStatesTest {

  @Test
  void aMissingSecretKeyEndsTheWaitNamingThePodAndReason() {
    assertThat(ReleaseReadiness.hopeless(waiting("CreateContainerConfigError",
        "couldn't find key password in Secret orders/orders-secrets")))
        .hasValueSatisfying(reason -> assertThat(reason).startsWith("pod orders-1: ")
            .contains("CreateContainerConfigError"));
  }

  @Test
  void aKubeletStillSyncingItsSecretCacheIsWaitedFor() {
    assertThat(ReleaseReadiness.hopeless(waiting("CreateContainerConfigError",
        "failed to sync secret cache: timed out waiting for the condition"))).isEmpty();
    assertThat(ReleaseReadiness.hopeless(waiting("CreateContainerConfigError",
        "failed to sync configmap cache: timed out waiting for the condition"))).isEmpty();
  }

  @Test
  void aContainerStillCreatingIsWaitedFor() {
    assertThat(ReleaseReadiness.hopeless(waiting("ContainerCreating", null))).isEmpty();
  }

  private static Pod waiting(String reason, String message) {
    return new PodBuilder().withNewMetadata().withName("orders-1").endMetadata()
        .withNewStatus().addNewContainerStatus().withName("orders").withRestartCount(0)
        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
        .endContainerStatus().endStatus().build();
  }
}
