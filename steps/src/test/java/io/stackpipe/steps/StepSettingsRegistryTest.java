package io.stackpipe.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.Secret;
import io.stackpipe.StackpipeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aStepsOwnCredentialIsTheChartRegistrysInsteadOfTheListsAndNamesItsId() {
    StepSettings settings = StepSettings.defaults().withCharts("oci://registry.example.com:5000/charts")
        .withRegistryCredential("registry.example.com:5000", "ci", Secret.of("list-password"))
        .withStepRegistryCredential("team-charts", "team", Secret.of(CANARY));

    var credential = settings.toInstallation().registryCredentials().get("registry.example.com:5000");

    assertThat(credential.username()).isEqualTo("team");
    assertThat(credential.password().reveal()).isEqualTo(CANARY);
    assertThat(credential.source()).isEqualTo("registryCredentialsId team-charts");
    assertThat(settings.stepRegistryCredentialsId()).isEqualTo("team-charts");
  }

  @Test
  void aStepsOwnCredentialNeedsAChartRegistry() {
    StepSettings settings = StepSettings.defaults().withStepRegistryCredential("team-charts", "team", Secret.of(CANARY));

    assertThatThrownBy(settings::toInstallation).isInstanceOf(StackpipeException.class)
        .hasMessage("is the chart registry's credential, and no chart registry is configured")
        .extracting(e -> ((StackpipeException) e).field().orElseThrow()).isEqualTo("registryCredentialsId");
  }

  @Test
  void aStepGivenAnIdItsFrontEndDidNotResolveIsRefusedBeforeItDoesAnything(@TempDir Path workspace) {
    StepEnvironment context = StepEnvironment.in(workspace, StepSettings.defaults()
        .withCharts("oci://registry.example.com/charts"));

    assertThatThrownBy(() -> Steps.call("deployProfile", Map.of("chart", "orders", "version", "1.0.0", "profile",
        "qa", "stack", "qa1", "registryCredentialsId", "team-charts"), context))
        .isInstanceOf(StepException.class)
        .hasMessage("deployProfile: registryCredentialsId: 'team-charts' was not resolved to a credential: only the"
            + " Jenkins plugin resolves credentials ids; elsewhere give the registry's credential in the settings");
  }
}
