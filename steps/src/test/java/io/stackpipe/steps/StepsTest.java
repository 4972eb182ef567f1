package io.stackpipe.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.SemVer;
import io.stackpipe.Secret;
import io.stackpipe.installation.Installation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepsTest {

  @TempDir
  Path workspace;

  @Nested
  class Catalogue {
    @Test
    void listsTheEightStepsInTheDocsOrder() {
      assertThat(Steps.descriptions()).extracting(StepDescription::name).containsExactly("buildChart",
          "createEphemeralStack", "promoteL3", "promoteCandidate", "ensureStack", "deployProfile", "destroyStack",
          "touchStack");
      assertThat(Steps.descriptions()).filteredOn(StepDescription::block).extracting(StepDescription::name)
          .containsExactly("promoteL3");
    }

    @Test
    void everyParameterHasHelpAndOnlyOptionalOnesHaveDefaultsOfTheirType() {
      for (StepDescription step : Steps.descriptions()) {
        assertThat(step.summary()).as(step.name()).isNotBlank();
        assertThat(step.returns()).as(step.name()).isNotEmpty();
        for (StepParameter p : step.parameters()) {
          assertThat(p.help()).as(step.name() + " " + p.name()).isNotBlank().endsWith(".");
          if (p.defaultValue() != null) {
            assertThat(p.required()).isFalse();
            Object typed = p.type() == StepParameter.Type.BOOLEAN ? Boolean.class : p.type().javaType();
            assertThat(p.defaultValue()).as(step.name() + " " + p.name()).isInstanceOf((Class<?>) typed);
          }
        }
      }
    }

    @Test
    void theIssuesDefaultsAndRequiredParameters() {
      assertThat(Steps.description("buildChart").parameter("chart").orElseThrow().defaultValue()).isEqualTo(".");
      StepDescription create = Steps.description("createEphemeralStack");
      assertThat(create.requiredParameters()).extracting(StepParameter::name).containsExactly("name");
      assertThat(create.parameter("manifest").orElseThrow().defaultValue()).isEqualTo("l3");
      assertThat(create.parameter("ttl").orElseThrow().defaultValue()).isEqualTo("7d");
      StepDescription deploy = Steps.description("deployProfile");
      assertThat(deploy.requiredParameters()).extracting(StepParameter::name).containsExactly("chart", "profile", "stack");
      assertThat(deploy.parameter("set").orElseThrow().defaultValue()).isEqualTo(Map.of());
      assertThat(deploy.parameter("wait").orElseThrow().defaultValue()).isEqualTo(true);
      assertThat(deploy.parameter("fromL3").orElseThrow().defaultValue()).isEqualTo(false);
      assertThat(Steps.description("promoteL3").parameter("keepStackOnFailure").orElseThrow().defaultValue())
          .isEqualTo(false);
    }
  }

  @Nested
  class Validation {
    @Test
    void anUnknownParameterIsRefusedNamingItAndTheKnownOnes() {
      assertThatThrownBy(() -> Steps.validate("buildChart", Map.of("versoin", "1.0.0")))
          .isInstanceOf(StepException.class)
          .hasMessage("buildChart: versoin: unknown parameter; buildChart takes chart, version, image, push,"
              + " appVersion, plainHttp, registryCredentialsId")
          .satisfies(e -> assertThat(((StepException) e).field()).contains("versoin"));
    }

    @Test
    void aMissingRequiredParameterIsRefusedByName() {
      assertThatThrownBy(() -> Steps.validate("deployProfile", Map.of("chart", "orders", "stack", "qa1")))
          .isInstanceOf(StepException.class)
          .hasMessage("deployProfile: profile: is required");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedWithoutRepeatingIt() {
      assertThatThrownBy(() -> Steps.validate("buildChart", Map.of("push", "canary-secret-yes")))
          .hasMessage("buildChart: push: must be true or false, not a string");
      assertThatThrownBy(() -> Steps.validate("deployProfile", Map.of("chart", "orders", "profile", "qa1",
          "stack", "qa1", "set", List.of("a=b"))))
          .hasMessage("deployProfile: set: must be a map such as [key: 'value'], not a list");
      assertThatThrownBy(() -> Steps.validate("destroyStack", Map.of("name", 42)))
          .hasMessage("destroyStack: name: must be a string, not a number");
    }

    @Test
    void groovyStringsCountAsStringsAndMapValuesBecomeText() {
      Map<String, Object> raw = new LinkedHashMap<>();
      raw.put("chart", new StringBuilder("orders"));
      raw.put("version", "1.0.0");
      raw.put("profile", "qa1");
      raw.put("stack", "qa1");
      raw.put("set", Map.of("replicaCount", 2, "debug", true));

      StepArguments args = Steps.validate("deployProfile", raw);

      assertThat(args.string("chart")).isEqualTo("orders");
      assertThat(args.map("set")).containsEntry("replicaCount", "2").containsEntry("debug", "true");
      assertThat(args.bool("wait")).isTrue();
      assertThat(args.given("wait")).isFalse();
      assertThat(args.given("set")).isTrue();
    }

    @Test
    void blankMeansLeftOutAsTheSnippetGeneratorWritesEmptyFields() {
      Map<String, Object> raw = new LinkedHashMap<>();
      raw.put("name", "pr-42");
      raw.put("owner", "");
      raw.put("ttl", "  ");
      raw.put("purpose", "");

      StepArguments args = Steps.validate("createEphemeralStack", raw);

      assertThat(args.string("owner")).isNull();
      assertThat(args.given("owner")).isFalse();
      assertThat(args.string("ttl")).isEqualTo("7d");
      assertThatThrownBy(() -> Steps.validate("destroyStack", Map.of("name", " ")))
          .hasMessage("destroyStack: name: is required");
      assertThat(Steps.validate("buildChart", Map.of("appVersion", "")).string("appVersion")).isNull();
    }

    @Test
    void anArgumentOfTheWrongFormIsNamedBeforeAnySettingIsLookedAt() {
      // No settings at all: the argument is still what the refusal names.
      StepEnvironment bare = StepEnvironment.in(Path.of("no-workspace"), StepSettings.defaults());
      assertThatThrownBy(() -> Steps.call("deployProfile", Map.of("chart", "orders", "version", "1.x",
          "profile", "qa1", "stack", "qa1"), bare))
          .hasMessage("deployProfile: version: " + SemVer.problem("1.x"));
      assertThatThrownBy(() -> Steps.call("buildChart", Map.of("version", "1.5"), bare))
          .hasMessage("buildChart: version: " + SemVer.problem("1.5"));
      assertThatThrownBy(() -> Steps.call("createEphemeralStack", Map.of("name", "My_Stack"), bare))
          .hasMessageStartingWith("createEphemeralStack: name: \"My_Stack\" is not a valid stack name");
      assertThatThrownBy(() -> Steps.call("createEphemeralStack", Map.of("name", "pr-1", "ttl", "a week"), bare))
          .hasMessageStartingWith("createEphemeralStack: ttl: ");
      assertThatThrownBy(() -> Steps.call("ensureStack", Map.of("name", "qa1", "type", "ephemeral"), bare))
          .hasMessageStartingWith("ensureStack: type: ephemeral stacks come from createEphemeralStack");
      assertThatThrownBy(() -> Steps.call("ensureStack", Map.of("name", "qa1", "type", "scratch"), bare))
          .hasMessageStartingWith("ensureStack: type: \"scratch\" is not a stack type");
      assertThatThrownBy(() -> Steps.call("touchStack", Map.of("name", "-x"), bare))
          .hasMessageStartingWith("touchStack: name: \"-x\" is not a valid stack name");
      assertThatThrownBy(() -> Steps.call("promoteL3", Map.of("service", "orders", "version", "one"), bare))
          .hasMessage("promoteL3: version: " + SemVer.problem("one"));
    }

    @Test
    void leftOutParametersTakeTheirDefaultsAndNullMeansLeftOut() {
      Map<String, Object> raw = new LinkedHashMap<>();
      raw.put("name", "pr-1");
      raw.put("purpose", null);

      StepArguments args = Steps.validate("createEphemeralStack", raw);

      Map<String, Object> expected = new LinkedHashMap<>();
      expected.put("name", "pr-1");
      expected.put("owner", null);
      expected.put("manifest", "l3");
      expected.put("ttl", "7d");
      expected.put("purpose", null);
      expected.put("registryCredentialsId", null);
      assertThat(args.asMap()).containsExactlyEntriesOf(expected);
      assertThat(args.given("purpose")).isFalse();
    }

    @Test
    void validatedArgumentsSurviveSerializationForTheTripToAnAgent() throws Exception {
      StepArguments args = Steps.validate("deployProfile", Map.of("chart", "orders", "version", "1.0.0",
          "profile", "qa1", "stack", "qa1", "set", Map.of("a", "b")));

      StepArguments back = roundTrip(args);

      assertThat(back.asMap()).isEqualTo(args.asMap());
      assertThat(back.given("set")).isTrue();
      assertThat(back.given("wait")).isFalse();
    }
  }

  @Nested
  class RefusalsBeforeAnythingIsContacted {
    // No cluster and no registry exist for these: a refusal that tried to reach one would fail differently.
    StepEnvironment context() {
      return StepEnvironment.in(workspace, StepSettings.defaults().withCharts("oci://127.0.0.1:1/charts")
          .withKubeconfigFile(workspace.resolve("no-such-kubeconfig").toString()));
    }

    @Test
    void promoteL3AlwaysTakesABodyAndPromoteCandidateACandidate() {
      assertThatThrownBy(() -> Steps.call("promoteL3", Map.of("service", "orders", "version", "1.0.1"), context()))
          .isInstanceOf(StepException.class)
          .hasMessageStartingWith("promoteL3: needs a body that tests the candidate's stack")
          .hasMessageEndingWith("promoteCandidate candidate: id");
      assertThatThrownBy(() -> Steps.validate("promoteL3", Map.of("service", "orders")))
          .hasMessage("promoteL3: version: is required");
      assertThatThrownBy(() -> Steps.validate("promoteL3", Map.of("candidate", "c-1")))
          .hasMessageStartingWith("promoteL3: candidate: unknown parameter");
      assertThatThrownBy(() -> Steps.validate("promoteCandidate", Map.of()))
          .hasMessage("promoteCandidate: candidate: is required");
    }

    @Test
    void deployProfileRefusesVersionWithFromL3AndAChartNameWithoutEither() {
      assertThatThrownBy(() -> Steps.call("deployProfile", Map.of("chart", "orders", "version", "1.0.0",
          "fromL3", true, "profile", "prod", "stack", "prod"), context()))
          .hasMessage("deployProfile: version: not with fromL3, which deploys the version L3 holds");
      assertThatThrownBy(() -> Steps.call("deployProfile", Map.of("chart", "orders", "profile", "qa1",
          "stack", "qa1"), context()))
          .hasMessage("deployProfile: version: is required with a chart name (or fromL3)");
      assertThatThrownBy(() -> Steps.call("deployProfile", Map.of("chart", "oci://r/charts/orders:1.0.0",
          "version", "1.0.0", "profile", "qa1", "stack", "qa1"), context()))
          .hasMessage("deployProfile: version: only with a chart name: an oci:// reference or a .tgz names its"
              + " version itself");
    }

    @Test
    void createEphemeralStackNeedsAnOwnerOutsideABuildStartedByAUserAndAReadableTtl() {
      assertThatThrownBy(() -> Steps.call("createEphemeralStack", Map.of("name", "pr-1"), context()))
          .hasMessage("createEphemeralStack: owner: is required when the build was not started by a user");
      assertThatThrownBy(() -> Steps.call("createEphemeralStack", Map.of("name", "pr-1", "owner", "alice",
          "ttl", "a week"), context()))
          .hasMessageStartingWith("createEphemeralStack: ttl: ");
    }

    @Test
    void aStepThatPushesNeedsAConfiguredRegistry() {
      StepEnvironment noRegistry = StepEnvironment.in(workspace, StepSettings.defaults());
      assertThatThrownBy(() -> Steps.call("deployProfile", Map.of("chart", "orders", "version", "1.0.0",
          "profile", "qa1", "stack", "qa1"), noRegistry))
          .hasMessage("deployProfile: charts: no chart registry configured (the installation's registry,"
              + " oci://host/path), needed with a chart name");
    }

    @Test
    void anEngineRefusalNamesTheStepAndTheArgument() {
      assertThatThrownBy(() -> Steps.call("buildChart", Map.of("chart", "missing"), context()))
          .isInstanceOf(StepException.class)
          .hasMessage("buildChart: " + workspace.resolve("missing") + ": not a directory");
    }
  }

  @Nested
  class Secrets {
    @Test
    void settingsPrintNoSecretAndTravelAsTheyAre() throws Exception {
      StepSettings settings = StepSettings.defaults().withCharts("oci://r/charts")
          .withKubeconfig(Secret.of("canary-kubeconfig-secret")).withAgeKey(Secret.of("AGE-SECRET-KEY-canary"));

      assertThat(settings.toString()).doesNotContain("canary").contains("****");
      StepSettings back = roundTrip(settings);
      assertThat(back.kubeconfig().reveal()).isEqualTo("canary-kubeconfig-secret");
      assertThat(back.ageKey()).isEqualTo(settings.ageKey());
      assertThat(back.charts()).isEqualTo("oci://r/charts");
    }

    @Test
    void theTokenFormAndContextReachTheInstallationAndPrintNoToken() throws Exception {
      StepSettings token = roundTrip(StepSettings.defaults().withClusterToken("https://api.example.com:6443",
          Secret.of("canary-cluster-token"), null));
      assertThat(token.toString()).doesNotContain("canary").contains("https://api.example.com:6443 with token ****");
      Installation installation = token.toInstallation();
      assertThat(installation.clusterToken().reveal()).isEqualTo("canary-cluster-token");
      assertThat(installation.clusterServer()).isEqualTo("https://api.example.com:6443");
      assertThat(StepSettings.defaults().withKubeconfigFile("/k").withContext("prod").toInstallation().context())
          .isEqualTo("prod");
      assertThatThrownBy(() -> token.withKubeconfigFile("/k").toInstallation())
          .hasMessage("give a kubeconfig or a server with a token, not both");
    }
  }

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
