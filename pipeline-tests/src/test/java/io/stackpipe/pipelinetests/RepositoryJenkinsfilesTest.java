package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import io.stackpipe.steps.StepDescription;
import io.stackpipe.steps.StepSettings;
import io.stackpipe.steps.Steps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Jenkinsfile of the repository is run by a test, and uses only steps the step layer has; the project's own CI
 * Jenkinsfile runs its README test command; the create-my-stack job definition matches its Jenkinsfile.
 */
class RepositoryJenkinsfilesTest {

  static final Path REPO = JenkinsfilesTest.REPO;
  /** The Jenkinsfiles and the tests that run them. */
  static final Map<String, String> RUN_BY = Map.of(
      "Jenkinsfile", "RepositoryJenkinsfilesTest.theProjectsCiRunsTheReadmeTestCommandAndKeepsItsReports",
      "examples/Jenkinsfile", "JenkinsfilesTest.ServicePipeline",
      "jobs/create-my-stack.Jenkinsfile", "JenkinsfilesTest.CreateMyStackJob");

  @TempDir
  Path work;

  @Test
  void everyJenkinsfileOfTheRepositoryIsRunByATest() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(REPO)) {
      files.filter(Files::isRegularFile)
          .filter(f -> f.getFileName().toString().equals("Jenkinsfile") || f.getFileName().toString().endsWith(".Jenkinsfile"))
          .map(f -> REPO.relativize(f).toString())
          .filter(f -> !f.contains("/target/") && !f.startsWith(".git/") && !f.startsWith("target/"))
          .forEach(found::add);
    }
    assertThat(found).containsExactlyInAnyOrderElementsOf(RUN_BY.keySet());
  }

  @Test
  void theJenkinsfilesCallOnlyStepsOfTheStepLayerAndEveryStepIsUsedOrDocumented() throws IOException {
    Set<String> steps = Set.copyOf(Steps.descriptions().stream().map(StepDescription::name).toList());
    // A call of a would-be Stackpipe step: a lower-camel-case name followed by named arguments or a block.
    Pattern call = Pattern.compile("\\b([a-z][A-Za-z0-9]*)\\s*\\(?\\s*([a-z][A-Za-z0-9]*)\\s*:");
    List<String> used = new ArrayList<>();
    for (String file : List.of("examples/Jenkinsfile", "jobs/create-my-stack.Jenkinsfile")) {
      String text = Files.readString(REPO.resolve(file));
      for (String step : steps) {
        if (Pattern.compile("\\b" + step + "\\b").matcher(text).find()) {
          used.add(step);
        }
      }
      Matcher m = call.matcher(text);
      while (m.find()) {
        String name = m.group(1);
        if (name.matches("(build|create|promote|deploy|destroy|touch)[A-Z].*")) {
          assertThat(steps).as(file + " calls " + name).contains(name);
        }
      }
    }
    assertThat(used).contains("buildChart", "promoteL3", "deployProfile", "createEphemeralStack");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theProjectsCiRunsTheReadmeTestCommandAndKeepsItsReports() throws IOException {
    // The real command is the whole build (this test is part of it), so its sh records instead of running it.
    List<String> scripts = new ArrayList<>();
    JenkinsPipeline build = new JenkinsPipeline(REPO, Files.createDirectories(work.resolve("ws")),
        StepSettings.defaults()).substituting((script, directory, environment, log) -> scripts.add(script));
    Map<String, Object> junit = new LinkedHashMap<>();
    Map<String, Object> archived = new LinkedHashMap<>();
    build.getHelper().registerAllowedMethod("junit", List.of(Map.class), new JenkinsPipeline.Call(build, args -> {
      junit.putAll((Map<String, Object>) args.get(0));
      return null;
    }));
    build.getHelper().registerAllowedMethod("archiveArtifacts", List.of(Map.class), new JenkinsPipeline.Call(build,
        args -> {
          archived.putAll((Map<String, Object>) args.get(0));
          return null;
        }));

    build.run("Jenkinsfile");

    assertThat(build.result()).as(build.logText()).isEqualTo("SUCCESS");
    assertThat(build.stages).containsExactly("Checkout", "Test");
    // The same command as CI's entry point and the README.
    String ci = Files.readString(REPO.resolve(".ci/run"));
    assertThat(ci).contains("exec ./scripts/test");
    assertThat(scripts).containsExactly("./scripts/test");
    assertThat(Files.isExecutable(REPO.resolve("scripts/test"))).isTrue();
    assertThat(Files.readString(REPO.resolve("README.md"))).contains("./scripts/test");
    // Reports where surefire and failsafe write them; the CLI jar under the name its POM gives it.
    assertThat(junit.get("testResults")).hasToString("**/target/surefire-reports/*.xml, **/target/failsafe-reports/*.xml");
    assertThat(Files.readString(REPO.resolve("cli/pom.xml"))).contains("<finalName>stackpipe-cli</finalName>");
    assertThat(archived.get("artifacts")).hasToString("cli/target/stackpipe-cli.jar");
  }

  @Test
  void theJobDefinitionDeclaresTheJenkinsfilesParametersAndRunsIt() throws IOException {
    Map<String, Object> job = new LinkedHashMap<>();
    List<List<Object>> parameters = new ArrayList<>();
    // Valid Groovy (a seed job compiles it), then read for what it declares.
    new GroovyShell(new Binding()).parse(REPO.resolve("jobs/create-my-stack.groovy").toFile());
    String dsl = Files.readString(REPO.resolve("jobs/create-my-stack.groovy"));
    Matcher pipelineJob = Pattern.compile("pipelineJob\\('([^']+)'\\)").matcher(dsl);
    assertThat(pipelineJob.find()).isTrue();
    job.put("name", pipelineJob.group(1));
    Matcher param = Pattern.compile("stringParam\\('([A-Z_]+)', '([^']*)',").matcher(dsl);
    while (param.find()) {
      parameters.add(List.of(param.group(1), param.group(2)));
    }
    Matcher scriptPath = Pattern.compile("scriptPath\\('([^']+)'\\)").matcher(dsl);
    assertThat(scriptPath.find()).isTrue();

    // The Jenkinsfile's own declaration, as a run records it.
    JenkinsPipeline build = new JenkinsPipeline(REPO, Files.createDirectories(work.resolve("ws")), StepSettings.defaults())
        .run(scriptPath.group(1));

    assertThat(job.get("name")).isEqualTo("create-my-stack");
    assertThat(parameters).containsExactlyElementsOf(build.declaredParameters.stream()
        .map(p -> List.<Object>of(p.get("name"), p.get("defaultValue"))).toList());
    assertThat(build.error()).isEqualTo("STACK_NAME is required: the stack's name, e.g. alice-dev");
  }
}
