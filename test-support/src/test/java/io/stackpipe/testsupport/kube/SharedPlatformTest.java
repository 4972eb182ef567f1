package io.stackpipe.testsupport.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's shared platform, without the node (which only one build on the machine may run): a stand-in process
 * plays Maven, whose end the keeper watches.
 */
class SharedPlatformTest {

  @TempDir
  Path dir;
  private Process maven;

  @BeforeEach
  void startMaven() throws IOException {
    maven = new ProcessBuilder("sleep", "600").start();
  }

  @AfterEach
  void endMaven() {
    maven.destroy();
  }

  @Test
  void everyAttachFindsTheOneKeeperWhichStopsItAllWhenMavenEnds() throws Exception {
    SharedPlatform.Attached first = SharedPlatform.attach(dir, maven.pid(), false);
    SharedPlatform.Attached second = SharedPlatform.attach(dir, maven.pid(), false);
    assertThat(second.registry().port()).isEqualTo(first.registry().port());
    assertThat(second.plane().directory()).isEqualTo(first.plane().directory());
    assertThat(first.plane().hasNode()).isFalse();
    assertThat(answers(first.registry().url() + "/v2/")).isTrue();
    try (KubernetesClient client = first.plane().newClient()) {
      assertThat(client.namespaces().withName("default").get()).isNotNull();
    }
    ProcessHandle keeper = keeper();

    maven.destroy();

    keeper.onExit().get(1, TimeUnit.MINUTES);
    assertThat(answers(first.registry().url() + "/v2/")).isFalse();
    assertThat(first.plane().directory()).doesNotExist();
  }

  @Test
  void anotherBuildIsRefusedAndReleaseStopsTheKeeperSoTheNextAttachStartsAFreshOne() throws Exception {
    SharedPlatform.Attached first = SharedPlatform.attach(dir, maven.pid(), false);
    ProcessHandle keeper = keeper();
    Process otherMaven = new ProcessBuilder("sleep", "600").start();
    try {
      assertThatThrownBy(() -> SharedPlatform.attach(dir, otherMaven.pid(), false))
          .hasMessageContaining("belongs to another build (Maven PID " + maven.pid() + ")");
    } finally {
      otherMaven.destroy();
    }
    assertThat(keeper.isAlive()).isTrue();

    SharedPlatform.release(dir);

    assertThat(keeper.isAlive()).isFalse();
    assertThat(answers(first.registry().url() + "/v2/")).isFalse();
    assertThat(dir.resolve(SharedPlatform.STATE)).doesNotExist();
    SharedPlatform.Attached next = SharedPlatform.attach(dir, maven.pid(), false);
    assertThat(keeper().pid()).isNotEqualTo(keeper.pid());
    assertThat(answers(next.registry().url() + "/v2/")).isTrue();
    SharedPlatform.release(dir);
  }

  private ProcessHandle keeper() throws IOException {
    Properties state = new Properties();
    try (var in = Files.newBufferedReader(dir.resolve(SharedPlatform.STATE))) {
      state.load(in);
    }
    return ProcessHandle.of(Long.parseLong(state.getProperty("keeper"))).orElseThrow();
  }

  private static boolean answers(String url) throws InterruptedException {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }
}
