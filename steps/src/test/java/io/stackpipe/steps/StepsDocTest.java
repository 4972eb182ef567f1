package io.stackpipe.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/STEPS.md is generated from the step descriptions, so the catalogue cannot drift from what the steps take and
 * return. After changing a description: {@code mvn -pl steps -am test -Dtest=StepsDocTest -Dstackpipe.docs.write=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class StepsDocTest {

  static final Path DOC = Path.of(System.getProperty("stackpipe.repo.root", "..")).resolve("docs/STEPS.md");

  @Test
  void theCatalogueIsTheOneTheDescriptionsGenerate() throws IOException {
    String generated = render(Steps.descriptions());
    if (Boolean.getBoolean("stackpipe.docs.write")) {
      Files.writeString(DOC, generated);
    }
    assertThat(Files.readString(DOC)).as("docs/STEPS.md is out of date: regenerate it (see StepsDocTest)")
        .isEqualTo(generated);
  }

  static String render(List<StepDescription> steps) {
    StringBuilder md = new StringBuilder("""
        # Pipeline steps

        <!-- Generated from the step layer's descriptions (module steps) by StepsDocTest: do not edit by hand. -->

        The Stackpipe Jenkins plugin adds these steps to Pipeline. Each takes named arguments, checks them before it
        does anything — before the settings and the cluster too — (an unknown parameter, a missing required one, a
        value of the wrong type or form — a version that is not SemVer, an invalid stack name, a bad duration — fails
        the build with one line naming it, e.g. `buildChart: versoin: unknown parameter; buildChart takes chart,
        version, …`), and returns a map. An empty string counts as not given (the Snippet Generator leaves an empty
        field out). A step with exactly one required parameter also takes it unnamed (`destroyStack 'pr-42'`).

        The registry, the cluster, the installation, the stack policy and the SOPS keys are not arguments: they come
        from the plugin's global configuration (Manage Jenkins » System » Stackpipe; [jenkins.md](jenkins.md)), with
        the credentials resolved at step time. Steps that read the workspace or run Helm run on the agent; no step
        returns a secret, and what a step prints shows the installation's credentials and the profiles' decrypted
        secrets as `****`. The same steps run outside Jenkins in `pipeline-tests`, which runs every
        Jenkinsfile of this repository against a real registry and cluster.

        | step | what it does |
        |---|---|
        """);
    for (StepDescription step : steps) {
      md.append("| [`").append(step.name()).append("`](#").append(step.name().toLowerCase()).append(") | ")
          .append(firstSentence(step.summary())).append(" |\n");
    }
    for (StepDescription step : steps) {
      md.append("\n## ").append(step.name()).append("\n\n").append(step.summary()).append("\n\n");
      md.append("| parameter | type | required | default | description |\n|---|---|---|---|---|\n");
      for (StepParameter p : step.parameters()) {
        md.append("| `").append(p.name()).append("` | `").append(p.type().display()).append("` | ")
            .append(p.required() ? "yes" : "no").append(" | ").append(literal(p.defaultValue())).append(" | ")
            .append(p.help().replace("|", "\\|").replace("<", "&lt;")).append(" |\n");
      }
      md.append("\nReturns a map:\n\n");
      for (ResultField field : step.returns()) {
        md.append("- `").append(field.name()).append("`: ").append(field.help()).append('\n');
      }
      md.append("\n```groovy\n").append(step.example()).append("\n```\n");
    }
    return md.toString();
  }

  private static String literal(Object value) {
    if (value == null) {
      return "—";
    }
    if (value instanceof String text) {
      return "`'" + text + "'`";
    }
    if (value instanceof Map<?, ?> map && map.isEmpty()) {
      return "`[:]`";
    }
    return "`" + value + "`";
  }

  private static String firstSentence(String text) {
    int end = text.indexOf(". ");
    return end < 0 ? text : text.substring(0, end + 1);
  }
}
