package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepDescription;
import io.stackpipe.steps.StepParameter;
import io.stackpipe.steps.StepSettings;
import io.stackpipe.steps.Steps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step as Jenkins' Snippet Generator writes it, pasted back into a pipeline: its form sends an empty optional
 * field as {@code ''} (written into the snippet unless the step's setter drops it) and a checkbox as its state, so
 * each step is run once with every optional text field blank and every checkbox at its default, written out, and
 * once with every field filled. Blank must mean "not given" (the default), filled must reach the step as written.
 * The settings point at nothing, so each step fails after validation, on the services; only what it was given is
 * checked here.
 */
class SnippetGeneratorTest {

  /** What a user types into each form field of the "filled" snippet: valid, consistent values. */
  static final Map<String, Map<String, Object>> FILLED = Map.of(
      "buildChart", Map.of("chart", "svc", "version", "1.2.3", "image", "registry.example.com/svc:1", "push", true,
          "appVersion", "2.0", "plainHttp", true, "registryCredentialsId", "team-charts"),
      "createEphemeralStack", Map.of("name", "pr-1", "owner", "bob", "manifest", "1.0.0", "ttl", "2d",
          "purpose", "review", "registryCredentialsId", "team-charts"),
      "promoteL3", Map.of("service", "orders", "version", "1.0.1", "keepStackOnFailure", true,
          "registryCredentialsId", "team-charts"),
      "promoteCandidate", Map.of("candidate", "c0abc1234", "registryCredentialsId", "team-charts"),
      "ensureStack", Map.of("name", "qa1", "type", "persistent", "owner", "team-qa", "purpose", "qa"),
      "deployProfile", Map.of("chart", "orders", "version", "1.0.0", "profile", "qa1", "stack", "qa1",
          "wait", false, "fromL3", false, "registryCredentialsId", "team-charts"),
      "destroyStack", Map.of("name", "qa1", "confirm", "qa1"),
      "touchStack", Map.of("name", "pr-1"));

  /** Required fields of the blank snippets where the filled value needs an optional one (a chart name, a version). */
  static final Map<String, Map<String, Object>> REQUIRED_ALONE = Map.of(
      "deployProfile", Map.of("chart", "orders-1.0.0.tgz"));

  @TempDir
  Path root;

  JenkinsPipeline run(String snippet) throws IOException {
    Files.writeString(root.resolve("Jenkinsfile"), "node {\n  " + snippet.replace("\n", "\n  ") + "\n}\n");
    Path workspace = Files.createDirectories(root.resolve("workspace"));
    StepSettings nothingThere = StepSettings.defaults().withCharts("oci://127.0.0.1:1/charts")
        .withKubeconfigFile(root.resolve("no-kubeconfig").toString());
    // The filled forms' registryCredentialsId is a credential of the store, as the plugin's dropdown offers.
    PluginConfiguration plugin = PluginConfiguration.of(nothingThere).withCredential("team-charts", "team", "pw");
    return new JenkinsPipeline(root, workspace, plugin).run("Jenkinsfile");
  }

  /** Groovy as Snippetizer writes it: named arguments in single quotes, a block step with its placeholder body. */
  static String snippet(StepDescription step, Map<String, Object> arguments) {
    String named = arguments.entrySet().stream()
        .map(e -> e.getKey() + ": " + (e.getValue() instanceof String s ? "'" + s + "'" : e.getValue()))
        .collect(Collectors.joining(", "));
    return step.block() ? step.name() + "(" + named + ") {\n    // some block\n}" : step.name() + " " + named;
  }

  @Test
  void blankOptionalFieldsAreNotGivenInEveryStep() throws IOException {
    for (StepDescription step : Steps.descriptions()) {
      Map<String, Object> form = new LinkedHashMap<>();
      for (StepParameter p : step.parameters()) {
        if (p.required()) {
          form.put(p.name(), REQUIRED_ALONE.getOrDefault(step.name(), Map.of())
              .getOrDefault(p.name(), FILLED.get(step.name()).get(p.name())));
        } else if (p.type() == StepParameter.Type.BOOLEAN) {
          form.put(p.name(), p.defaultValue());
        } else if (p.type() == StepParameter.Type.STRING) {
          form.put(p.name(), "");
        } // a map (deployProfile's set) has no form field
      }
      String snippet = snippet(step, form);

      JenkinsPipeline build = run(snippet);

      assertThat(build.validated).as(snippet + "\n" + build.logText()).hasSize(1);
      StepArguments bound = build.validated.get(0);
      for (StepParameter p : step.parameters()) {
        if (!p.required() && p.type() == StepParameter.Type.STRING) {
          assertThat(bound.given(p.name())).as(snippet + ": " + p.name() + " blank is not given").isFalse();
          assertThat(bound.string(p.name())).as(snippet + ": " + p.name()).isEqualTo(p.defaultValue());
        }
      }
      assertNotRefusedForAnArgument(build, step, snippet);
    }
  }

  @Test
  void filledFieldsReachEveryStepAsWritten() throws IOException {
    for (StepDescription step : Steps.descriptions()) {
      Map<String, Object> form = new LinkedHashMap<>(FILLED.get(step.name()));
      String snippet = snippet(step, form);

      JenkinsPipeline build = run(snippet);

      assertThat(build.validated).as(snippet + "\n" + build.logText()).hasSize(1);
      StepArguments bound = build.validated.get(0);
      form.forEach((name, value) -> {
        assertThat(bound.given(name)).as(snippet + ": " + name).isTrue();
        assertThat(bound.asMap().get(name)).as(snippet + ": " + name).isEqualTo(value);
      });
      assertThat(step.parameters()).filteredOn(p -> p.type() != StepParameter.Type.MAP)
          .allSatisfy(p -> assertThat(form).as(step.name() + ": the filled form has every field").containsKey(p.name()));
      assertNotRefusedForAnArgument(build, step, snippet);
    }
  }

  /** The build failed on the services that are not there, never on an argument of the snippet. */
  static void assertNotRefusedForAnArgument(JenkinsPipeline build, StepDescription step, String snippet) {
    assertThat(build.result()).as(snippet).isEqualTo("FAILURE");
    for (StepParameter p : step.parameters()) {
      assertThat(build.error()).as(snippet).doesNotStartWith(step.name() + ": " + p.name() + ": ");
    }
  }
}
