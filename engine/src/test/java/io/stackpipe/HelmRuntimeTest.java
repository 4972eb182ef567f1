package io.stackpipe;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.stackpipe.chart.ChartBuild;
import io.stackpipe.testsupport.TestFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain JVM that built a chart (Helm rendered every profile in-process) still stops on SIGTERM with its
 * shutdown hooks run, and leaves no copy of Helm's library in its temporary directory.
 */
class HelmRuntimeTest {

  private static final Path ROOT = Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath()
      .normalize();
  private static final Duration STOP_WITHIN = Duration.ofSeconds(10);

  @TempDir
  Path work;

  @Test
  void aJvmThatBuiltAChartStopsOnSigtermAndRunsItsHooks() throws Exception {
    Path temp = Files.createDirectories(work.resolve("tmp"));
    Path hook = work.resolve("hook-ran");
    Process child = start(EngineChild.class, temp, hook);

    assertThat(awaitReady(child)).as("the child built the chart").isTrue();
    assertThat(helmCopies(temp)).as("the loaded library's copy is deleted at once").isEmpty();
    child.destroy(); // SIGTERM

    assertThat(child.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    assertThat(child.exitValue()).isEqualTo(128 + 15);
    assertThat(hook).as("shutdown hooks ran").exists();
  }

  /** Why the engine needs HelmRuntime: the same render through helm-java alone keeps SIGTERM from the JVM. */
  @Test
  void helmJavaAloneSwallowsSigterm() throws Exception {
    Path temp = Files.createDirectories(work.resolve("tmp"));
    Process child = start(HelmJavaChild.class, temp, work.resolve("hook-ran"));
    try {
      assertThat(awaitReady(child)).isTrue();
      assertThat(helmCopies(temp)).as("helm-java leaves its copy while the JVM lives").hasSize(1);
      child.destroy();
      assertThat(child.waitFor(3, TimeUnit.SECONDS)).as("still running after SIGTERM").isFalse();
    } finally {
      child.destroyForcibly().waitFor();
    }
  }

  @Test
  void copiesLeftByEarlierJvmsAreRemovedOnceTheyAreAMinuteOld() throws IOException {
    Instant now = Instant.now();
    Path stale = Files.createDirectories(work.resolve("helm-java123"));
    Files.writeString(stale.resolve("libhelm.so"), "left by a killed JVM");
    Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofMinutes(2))));
    Path fresh = Files.createDirectories(work.resolve("helm-java456"));
    Files.writeString(fresh.resolve("libhelm.so"), "being loaded by another JVM");
    Path other = Files.createDirectories(work.resolve("unrelated"));
    Files.setLastModifiedTime(other, FileTime.from(now.minus(Duration.ofHours(1))));

    assertThat(HelmRuntime.removeStaleCopies(work, now)).containsExactly(stale);
    assertThat(stale).doesNotExist();
    assertThat(fresh.resolve("libhelm.so")).exists();
    assertThat(other).exists();
  }

  private Process start(Class<?> main, Path temp, Path hook) throws IOException {
    Path chart = TestFiles.copyTree(ROOT.resolve("examples/services/orders"), work.resolve("orders"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Djava.io.tmpdir=" + temp, "-cp", System.getProperty("java.class.path"),
        main.getName(), chart.toString(), work.resolve("out").toString(), hook.toString())
        .redirectErrorStream(true).start();
  }

  private static boolean awaitReady(Process child) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.equals("ready")) {
        return true;
      }
    }
    return false;
  }

  private static List<Path> helmCopies(Path temp) throws IOException {
    try (Stream<Path> list = Files.list(temp)) {
      return list.filter(p -> p.getFileName().toString().startsWith("helm-java")).toList();
    }
  }

  private static void hookAndWait(String hook) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Files.writeString(Path.of(hook), "ran");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }));
    System.out.println("ready");
    System.out.flush();
    Thread.sleep(Duration.ofMinutes(2).toMillis());
  }

  /** Builds the chart through the engine, then waits to be stopped. */
  public static final class EngineChild {
    public static void main(String[] args) throws Exception {
      ChartBuild.of(Path.of(args[0])).withVersion("1.0.0").withOutputDirectory(Path.of(args[1])).call();
      hookAndWait(args[2]);
    }
  }

  /** Renders the chart with helm-java directly, then waits to be stopped. */
  public static final class HelmJavaChild {
    public static void main(String[] args) throws Exception {
      new Helm(Path.of(args[0])).template().withName("orders").call();
      hookAndWait(args[2]);
    }
  }
}
