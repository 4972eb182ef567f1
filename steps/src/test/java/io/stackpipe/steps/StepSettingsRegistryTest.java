package io.stackpipe.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.Secret;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The step layer's registry credentials: copied by each wither, handed to the installation, never printed. */
class StepSettingsRegistryTest {

  static final String CANARY = "canary-" + UUID.randomUUID();

  @Test
  void theyReachTheInstallationAndStayOutOfTheText() {
    StepSettings defaults = StepSettings.defaults();
    StepSettings settings = defaults.withRegistryCredential("ghcr.io", "ci", Secret.of(CANARY))
        .withRegistryConfig("/etc/stackpipe/registry.json");

    var installation = settings.toInstallation();

    assertThat(installation.registryCredentials().get("ghcr.io").password().reveal()).isEqualTo(CANARY);
    assertThat(installation.registryConfig()).isEqualTo("/etc/stackpipe/registry.json");
    assertThat(defaults.registryCredentials()).isEmpty();
    assertThat(settings.toString()).contains("registryCredentials=[ghcr.io]").doesNotContain(CANARY);
    assertThat(installation.toString()).doesNotContain(CANARY);
  }
}
