package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import io.stackpipe.steps.StepSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding refuses bad arguments as the Jenkins step classes would, before anything is contacted. */
class StepBindingTest {

  @TempDir
  Path root;

  JenkinsPipeline run(String script) throws IOException {
    Files.writeString(root.resolve("Jenkinsfile"), script);
    Path workspace = Files.createDirectories(root.resolve("workspace"));
    // Nothing listens there: a step that got past validation would fail differently.
    StepSettings settings = StepSettings.defaults().withCharts("oci://127.0.0.1:1/charts")
        .withKubeconfigFile(root.resolve("no-kubeconfig").toString());
    return new JenkinsPipeline(root, workspace, settings).run("Jenkinsfile");
  }

  @Test
  void anUnknownParameterFailsTheBuildWithOneLineNamingIt() throws IOException {
    JenkinsPipeline build = run("node {\n  buildChart chart: '.', versoin: '1.0.0'\n}\n");

    assertThat(build.result()).isEqualTo("FAILURE");
    assertThat(build.error()).isEqualTo("buildChart: versoin: unknown parameter; buildChart takes chart, version,"
        + " image, push, appVersion, plainHttp, registryCredentialsId");
  }

  @Test
  void aMissingRequiredParameterFailsTheBuildNamingIt() throws IOException {
    JenkinsPipeline build = run("node {\n  deployProfile chart: 'orders', version: '1.0.0', stack: 'qa1'\n}\n");

    assertThat(build.result()).isEqualTo("FAILURE");
    assertThat(build.error()).isEqualTo("deployProfile: profile: is required");
  }

  @Test
  void aStepCalledWithoutArgumentsMissesItsRequiredOne() throws IOException {
    JenkinsPipeline build = run("node {\n  createEphemeralStack()\n}\n");

    assertThat(build.error()).isEqualTo("createEphemeralStack: name: is required");
  }

  @Test
  void aGroovyStringIsAStringAndAWrongTypeIsRefused() throws IOException {
    JenkinsPipeline build = run("def n = 3\nnode {\n  buildChart version: \"1.0.${n}\", push: 'yes'\n}\n");

    assertThat(build.error()).isEqualTo("buildChart: push: must be true or false, not a string");
  }

  @Test
  void anUnnamedArgumentIsTakenOnlyByAStepWithOneRequiredParameter() throws IOException {
    JenkinsPipeline build = run("node {\n  deployProfile 'orders'\n}\n");

    assertThat(build.error()).isEqualTo("deployProfile takes named arguments (name: value)");
  }

  @Test
  void promoteL3NeedsServiceAndVersion() throws IOException {
    JenkinsPipeline build = run("node {\n  promoteL3(service: 'orders') {\n    echo 'never'\n  }\n}\n");

    assertThat(build.error()).isEqualTo("promoteL3: version: is required");
    assertThat(build.log).doesNotContain("never");
  }

  @Test
  void theShellStepRunsTheRealShellWithTheBuildsEnvironment() throws IOException {
    JenkinsPipeline build = run("node {\n  withEnv(['GREETING=hello']) {\n"
        + "    def out = sh(script: 'echo \"$GREETING from build $BUILD_NUMBER in $(basename $PWD)\"', returnStdout: true)\n"
        + "    echo \"got ${out.trim()}\"\n  }\n  sh 'exit 3'\n}\n");

    assertThat(build.log).contains("got hello from build 1 in workspace");
    assertThat(build.result()).isEqualTo("FAILURE");
    assertThat(build.error()).isEqualTo("script returned exit code 3");
  }
}
