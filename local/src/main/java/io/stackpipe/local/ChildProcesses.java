package io.stackpipe.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Starts service processes that die with this JVM, even when it is killed outright (SIGKILL skips shutdown
 * hooks): each gets a parent-death signal through util-linux {@code setpriv}.
 */
public final class ChildProcesses {

  private static final boolean PDEATHSIG = Stream.of("/usr/bin/setpriv", "/bin/setpriv")
      .anyMatch(p -> Files.isExecutable(Path.of(p)));
  // The parent-death signal follows the thread that forked, not the process: fork from one thread that
  // lives as long as the JVM.
  private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "stackpipe-child-spawner");
    thread.setDaemon(true);
    return thread;
  });

  private ChildProcesses() {
  }

  public static Process startAttached(ProcessBuilder builder) throws IOException {
    if (PDEATHSIG) {
      List<String> command = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL"));
      command.addAll(builder.command());
      builder.command(command);
    }
    try {
      return SPAWNER.submit(builder::start).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + builder.command(), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot start " + builder.command(), e.getCause());
    }
  }
}
