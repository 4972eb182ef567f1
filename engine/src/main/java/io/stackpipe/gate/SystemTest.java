package io.stackpipe.gate;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.NamespaceAccess;
import io.stackpipe.kube.ServiceAddresses.ServiceAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a system-test command against a stack: the command (an argument vector, no shell) gets the front end's
 * environment plus what locates the stack ({@link #environment}), its output (stdout and stderr, merged) streams
 * line by line to the progress consumer with every secret value masked, and the result is its exit code, its
 * duration and its last lines.
 *
 * <pre>{@code
 * SystemTestResult result = SystemTest.of(List.of("sh", "examples/system-tests.sh"))
 *     .against(kube, "pr-42")
 *     .withEnvironment(env)            // the front end's own: PATH, HOME, …
 *     .in(workingDirectory)
 *     .withProgress(System.out::println)
 *     .call();
 * }</pre>
 *
 * The kubeconfig handed to the command is a 0600 file in a private folder, deleted when the command ends. Its
 * credential is not the installation's: a token of a ServiceAccount that may change the stack's namespace and
 * nothing else ({@link NamespaceAccess}), revoked when the command ends.
 */
public final class SystemTest {

  /** What the command finds in its environment: the stack's namespace and a kubeconfig for it. */
  public static final String STACK_NAMESPACE = "STACK_NAMESPACE";
  public static final String KUBECONFIG = "KUBECONFIG";
  /** The stack's Services, space-separated; each one's first port is {@code <NAME>_URL}. */
  public static final String STACK_SERVICES = "STACK_SERVICES";
  static final int TAIL_LINES = 20;

  private final List<String> command;
  private KubeConnection kube;
  private String namespace;
  private Map<String, String> environment = Map.of();
  private Map<String, String> variables = Map.of();
  private Path directory;
  private Duration timeout = Duration.ofMinutes(30);
  // The token outlives the timeout a little (the API server's minimum is 10 minutes), then dies by itself.
  private static final Duration TOKEN_MARGIN = Duration.ofMinutes(10);
  private Set<String> masked = Set.of();
  private Consumer<String> progress = line -> { };

  private SystemTest(List<String> command) {
    this.command = List.copyOf(command);
  }

  /** The command and its arguments, run as they are (give {@code sh -c '…'} for a shell). */
  public static SystemTest of(List<String> command) {
    return new SystemTest(command);
  }

  /** The stack under test: its cluster and namespace. */
  public SystemTest against(KubeConnection connection, String stackNamespace) {
    this.kube = connection;
    this.namespace = stackNamespace;
    return this;
  }

  /** The environment the command starts from (the front end's); the stack's variables are added on top. */
  public SystemTest withEnvironment(Map<String, String> value) {
    this.environment = Map.copyOf(value);
    return this;
  }

  /** More variables on top of the environment (e.g. the gate's {@code L3_CANDIDATE}); the stack's own come last. */
  public SystemTest withVariables(Map<String, String> value) {
    this.variables = Map.copyOf(value);
    return this;
  }

  /** Where the command runs and a relative command is found (required: the engine has no working directory). */
  public SystemTest in(Path value) {
    this.directory = value;
    return this;
  }

  /** How long the command may run (default 30 minutes); then it and its children are killed: a failure. */
  public SystemTest withTimeout(Duration value) {
    this.timeout = value;
    return this;
  }

  /** Values replaced by {@code ****} in every line of output (e.g. the stack's decrypted profile secrets). */
  public SystemTest masking(Collection<String> values) {
    this.masked = Set.copyOf(values);
    return this;
  }

  public SystemTest withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  /**
   * The variables that locate a stack for its system tests: {@code STACK_NAMESPACE}, {@code STACK_SERVICES} and,
   * per Service, {@code <NAME>_URL} ({@code http://clusterIP:port} of its first port; the name upper-cased, '-'
   * as '_'). {@code KUBECONFIG} comes on top, as a file of its own.
   */
  public static Map<String, String> environment(KubeConnection kube, String namespace) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(STACK_NAMESPACE, namespace);
    Map<String, ServiceAddress> first = new LinkedHashMap<>();
    for (ServiceAddress address : kube.services().list(namespace)) {
      first.putIfAbsent(address.service(), address);
    }
    env.put(STACK_SERVICES, String.join(" ", first.keySet()));
    first.forEach((service, address) -> env.put(variable(service), address.url()));
    return env;
  }

  /** {@code orders} → {@code ORDERS_URL}, {@code order-api} → {@code ORDER_API_URL}. */
  public static String variable(String service) {
    return service.toUpperCase(Locale.ROOT).replace('-', '_') + "_URL";
  }

  /** Checks the command can be started (before a gate makes anything): a program on PATH or an executable file. */
  public void requireRunnable() {
    if (command.isEmpty() || command.get(0).isBlank()) {
      throw StackpipeException.ofField("command", "is required: the system-test command and its arguments");
    }
    if (directory == null) {
      throw StackpipeException.ofField("directory", "is required: where the system-test command runs");
    }
    String program = command.get(0);
    if (program.contains("/")) {
      Path file = directory.resolve(program);
      if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
        throw StackpipeException.ofField("command", program + ": no executable file (in " + directory + ")");
      }
      return;
    }
    String path = environment.getOrDefault("PATH", "");
    for (String folder : path.split(":")) {
      if (!folder.isEmpty() && Files.isExecutable(Path.of(folder).resolve(program))) {
        return;
      }
    }
    throw StackpipeException.ofField("command", program + ": not found on PATH");
  }

  public SystemTestResult call() {
    if (kube == null || namespace == null) {
      throw new StackpipeException("a system test needs the stack it runs against");
    }
    requireRunnable();
    long start = System.nanoTime();
    NamespaceAccess access = NamespaceAccess.grant(kube, namespace, timeout.plus(TOKEN_MARGIN));
    try (PrivateTempDir temp = PrivateTempDir.create("stackpipe-system-test-")) {
      Path kubeconfig = temp.newFile("kubeconfig");
      Set<String> secrets = new HashSet<>(masked);
      secrets.addAll(access.writeKubeconfig(kubeconfig));
      Map<String, String> stack = environment(kube, namespace);
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().putAll(environment);
      builder.environment().putAll(variables);
      builder.environment().putAll(stack);
      builder.environment().put(KUBECONFIG, kubeconfig.toString());
      List<String> shownCommand = command.stream().map(argument -> mask(argument, secrets)).toList();
      progress.accept("system test: " + String.join(" ", shownCommand) + " against namespace " + namespace + " ("
          + stack.get(STACK_SERVICES) + ")");
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw StackpipeException.ofField("command", "cannot run " + command.get(0) + ": " + e.getMessage());
      }
      process.getOutputStream().close();
      Deque<String> tail = new ArrayDeque<>();
      Thread reader = new Thread(() -> stream(process, secrets, tail), "system-test-output");
      reader.setDaemon(true);
      reader.start();
      boolean finished = waitFor(process);
      if (!finished) {
        killTree(process);
        waitFor(process);
      }
      join(reader);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      List<String> last;
      synchronized (tail) {
        last = new ArrayList<>(tail);
      }
      int exit = finished ? process.exitValue() : -1;
      progress.accept("system test " + (finished ? "exited " + exit : "timed out after " + timeout) + " in "
          + took.toMillis() + " ms");
      return new SystemTestResult(shownCommand, namespace, exit, !finished, took, last);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      access.revoke();
    }
  }

  private void stream(Process process, Set<String> secrets, Deque<String> tail) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        String shown = mask(line, secrets);
        synchronized (tail) {
          tail.addLast(shown);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
        progress.accept(shown);
      }
    } catch (IOException e) {
      // The process was killed (timeout): its output ends here.
    }
  }

  private static String mask(String line, Set<String> secrets) {
    String shown = line;
    for (String secret : secrets) {
      if (!secret.isEmpty()) {
        shown = shown.replace(secret, "****");
      }
    }
    return shown;
  }

  private boolean waitFor(Process process) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new StackpipeException("interrupted while the system test ran");
    }
  }

  /**
   * The command first, then the children it had: killed the other way round, a shell sees its child die and runs
   * its next command before its own kill arrives.
   */
  private static void killTree(Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private static void join(Thread reader) {
    try {
      // A child that outlived the command may hold the pipe open: its output is not waited for forever.
      reader.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
