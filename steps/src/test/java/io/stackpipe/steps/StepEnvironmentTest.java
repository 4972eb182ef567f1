package io.stackpipe.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crashed build leaves in the workspace's {@code @tmp}, and what the next step call removes. */
class StepEnvironmentTest {

  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  static final Instant PROCESS_START = NOW.minus(Duration.ofMinutes(10));

  @TempDir
  Path tmp;

  Path folder(String name, Instant modified) throws IOException {
    Path folder = Files.createDirectories(tmp.resolve(name));
    Files.writeString(folder.resolve("kubeconfig"), "users: [{user: {token: t0k3n}}]\n");
    Files.setLastModifiedTime(folder, FileTime.from(modified));
    return folder;
  }

  @Test
  void removesSessionFoldersOlderThanTheProcessAndBodyFoldersOlderThanTheirTokenAndNothingElse() throws IOException {
    folder("stackpipe-session-crashed", PROCESS_START.minusSeconds(1));
    folder("stackpipe-session-running", PROCESS_START.plusSeconds(1)); // a call of this process: maybe running
    folder("stackpipe-l3-expired", NOW.minus(Duration.ofHours(5)));
    folder("stackpipe-l3-resumed", NOW.minus(Duration.ofHours(1))); // a body resumed after a restart uses it
    folder("durable-1234abcd", NOW.minus(Duration.ofDays(3))); // sh's own: not ours
    List<String> progress = new ArrayList<>();

    StepEnvironment.in(tmp.resolveSibling("ws"), StepSettings.defaults()).withTempDirectory(tmp)
        .withProgress(progress::add).removeLeftovers(PROCESS_START, NOW);

    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("stackpipe-session-running", "stackpipe-l3-resumed", "durable-1234abcd");
    }
    assertThat(progress).containsExactlyInAnyOrder(
        "removed stackpipe-session-crashed from " + tmp + ", left by a step whose process died",
        "removed stackpipe-l3-expired from " + tmp + ", left by a step whose process died");
  }

  @Test
  void aMissingTemporaryFolderIsNothingToRemove() {
    List<String> progress = new ArrayList<>();

    StepEnvironment.in(tmp, StepSettings.defaults()).withTempDirectory(tmp.resolve("absent@tmp"))
        .withProgress(progress::add).removeLeftovers();

    assertThat(progress).isEmpty();
    assertThat(tmp.resolve("absent@tmp")).doesNotExist();
  }
}
