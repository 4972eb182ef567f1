package io.stackpipe.pipelinetests;

import com.lesfurets.jenkins.unit.BasePipelineTest;
import groovy.lang.Closure;
import io.stackpipe.base.Messages;
import io.stackpipe.steps.L3Session;
import io.stackpipe.steps.PromoteL3Step;
import io.stackpipe.steps.StepArguments;
import io.stackpipe.steps.StepEnvironment;
import io.stackpipe.steps.StepDescription;
import io.stackpipe.steps.StepParameter;
import io.stackpipe.steps.StepSettings;
import io.stackpipe.steps.Steps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A scripted Jenkinsfile run by JenkinsPipelineUnit as a Jenkins build would run it: the Stackpipe steps call the step
 * layer for real (the registry, the cluster), {@code sh} runs the real shell in the workspace with the build's
 * environment, and the Pipeline basics ({@code node}, {@code stage}, {@code dir}, {@code withEnv}, {@code input},
 * {@code properties}/{@code parameters}, {@code echo}, {@code error}) behave as their Jenkins steps do for a
 * single-agent build. The build log is kept, one line per entry, with each step's progress lines.
 *
 * <p>A step call goes exactly where a Jenkins step class sends it: {@link Steps#validate} with the named
 * arguments as given (so unknown and missing arguments are refused with the step layer's one line), then the call
 * with a {@link StepEnvironment} of the current directory, the build's user and environment. One argument without a
 * name is accepted where Jenkins accepts it: for a step with exactly one required parameter.
 */
final class JenkinsPipeline extends BasePipelineTest {

  /** A shell command the test performs itself instead of the shell (only for tools this machine lacks). */
  interface ShellSubstitute {
    /** Returns true when it handled {@code script}. */
    boolean handle(String script, Path directory, Map<String, String> environment, List<String> log);
  }

  final List<String> log = new CopyOnWriteArrayList<>();
  final Map<String, Object> env = new LinkedHashMap<>();
  final Map<String, Object> params = new LinkedHashMap<>();
  final Map<String, Object> currentBuild = new LinkedHashMap<>();
  final List<Map<String, Object>> declaredParameters = new ArrayList<>();
  final List<String> stages = new ArrayList<>();
  /** Each Stackpipe step's arguments as the step layer validated them, in call order (before any work). */
  final List<StepArguments> validated = new ArrayList<>();
  /** Each Stackpipe step's name and the map it returned, in call order. */
  final List<Map.Entry<String, Map<String, Object>>> stepResults = new ArrayList<>();

  private final Path workspace;
  private final PluginConfiguration configuration;
  private final Deque<Path> directories = new ArrayDeque<>();
  private final Deque<Map<String, String>> overlays = new ArrayDeque<>();
  // The values promoteL3's console filter masks in its body's output (in Jenkins a ConsoleLogFilter).
  private final Deque<Set<String>> masks = new ArrayDeque<>();
  private final List<ShellSubstitute> substitutes = new ArrayList<>();
  private String user = "alice";
  private Function<Map<String, Object>, Object> input = message -> null;
  private Predicate<String> abortAt = line -> false;
  private Throwable failure;

  JenkinsPipeline(Path repositoryRoot, Path workspace, StepSettings settings) {
    this(repositoryRoot, workspace, PluginConfiguration.of(settings));
  }

  /** A build of a Jenkins whose plugin configuration (registry list and credentials store) is {@code configuration}. */
  JenkinsPipeline(Path repositoryRoot, Path workspace, PluginConfiguration configuration) {
    this.workspace = workspace;
    this.configuration = configuration;
    setScriptRoots(repositoryRoot.toString());
    setScriptExtension("");
    try {
      setUp();
    } catch (Exception e) {
      throw new IllegalStateException("JenkinsPipelineUnit did not start", e);
    }
    directories.push(workspace);
    currentBuild.put("result", null);
    currentBuild.put("number", 1);
    env.put("BUILD_NUMBER", "1");
    env.put("WORKSPACE", workspace.toString());
    getBinding().setVariable("env", env);
    getBinding().setVariable("params", params);
    getBinding().setVariable("currentBuild", currentBuild);
    getBinding().setVariable("scm", Map.of("type", "git"));
    bindPipelineBasics();
    for (StepDescription step : Steps.descriptions()) {
      bindStep(step);
    }
  }

  JenkinsPipeline asUser(String name) {
    this.user = name;
    return this;
  }

  JenkinsPipeline withEnv(String name, Object value) {
    env.put(name, value);
    return this;
  }

  JenkinsPipeline withParam(String name, Object value) {
    params.put(name, value);
    return this;
  }

  /** What {@code input} does: return normally (approve) or throw (abort). */
  JenkinsPipeline onInput(Function<Map<String, Object>, Object> answer) {
    this.input = answer;
    return this;
  }

  /**
   * Stops the build as a user's abort does, at the first build-log line that matches: Jenkins' stop interrupts the
   * thread of the running step (the step's work, or the {@code sh} of a body), so here the build's thread is
   * interrupted right there, in the middle of what the step was doing.
   */
  JenkinsPipeline abortAt(Predicate<String> line) {
    this.abortAt = line;
    return this;
  }

  JenkinsPipeline substituting(ShellSubstitute substitute) {
    substitutes.add(substitute);
    return this;
  }

  /** Runs the Jenkinsfile at {@code path} (relative to the repository root); the build's result is set as Jenkins sets it. */
  JenkinsPipeline run(String path) {
    try {
      runScript(loadScript(path));
      if (currentBuild.get("result") == null) {
        currentBuild.put("result", "SUCCESS");
      }
    } catch (Throwable e) {
      failure = e;
      if (unwrapped(e) instanceof Aborted stop) {
        currentBuild.put("result", "ABORTED");
        log.add(stop.getMessage());
      } else {
        currentBuild.put("result", "FAILURE");
        log.add("ERROR: " + message(e));
      }
    }
    log.add("Finished: " + currentBuild.get("result"));
    return this;
  }

  Path workspace() {
    return workspace;
  }

  String result() {
    return (String) currentBuild.get("result");
  }

  /** The error the build ended with, as Jenkins prints it after {@code ERROR: }. */
  String error() {
    return failure == null ? null : message(failure);
  }

  String logText() {
    return String.join("\n", log);
  }

  private static String message(Throwable e) {
    return Messages.firstLine(unwrapped(e));
  }

  private static Throwable unwrapped(Throwable e) {
    Throwable t = e;
    while (t instanceof org.codehaus.groovy.runtime.InvokerInvocationException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  // --- the Stackpipe steps, bound to the step layer -----------------------------------------------------------

  private void bindStep(StepDescription step) {
    String name = step.name();
    if (step.block()) {
      getHelper().registerAllowedMethod(name, List.of(Map.class, Closure.class),
          fn(args -> callStep(name, named(args.get(0)), (Closure<?>) args.get(1))));
      getHelper().registerAllowedMethod(name, List.of(Closure.class),
          fn(args -> callStep(name, Map.of(), (Closure<?>) args.get(0))));
      // workflow-cps refuses every body-less call of a step whose descriptor takes an implicit block.
      @SuppressWarnings("rawtypes")
      List<List<Class>> bodylessCalls = List.of(List.of(Map.class), List.of(), List.of(String.class),
          List.of(groovy.lang.GString.class));
      for (@SuppressWarnings("rawtypes") List<Class> bodyless : bodylessCalls) {
        getHelper().registerAllowedMethod(name, bodyless, fn(args -> {
          throw new IllegalArgumentException(name + " step must be called with a body");
        }));
      }
      return;
    }
    getHelper().registerAllowedMethod(name, List.of(Map.class), fn(args -> callStep(name, named(args.get(0)), null)));
    getHelper().registerAllowedMethod(name, List.of(), fn(args -> callStep(name, Map.of(), null)));
    getHelper().registerAllowedMethod(name, List.of(String.class),
        fn(args -> callStep(name, positional(step, args.get(0)), null)));
    getHelper().registerAllowedMethod(name, List.of(groovy.lang.GString.class),
        fn(args -> callStep(name, positional(step, args.get(0)), null)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> named(Object arguments) {
    return (Map<String, Object>) arguments;
  }

  /** Jenkins takes one unnamed argument for a step whose only required parameter it is ({@code destroyStack 'pr-1'}). */
  private static Map<String, Object> positional(StepDescription step, Object value) {
    List<StepParameter> required = step.requiredParameters();
    if (required.size() != 1) {
      throw new IllegalArgumentException(step.name() + " takes named arguments (name: value)");
    }
    return Map.of(required.get(0).name(), value);
  }

  private Object callStep(String name, Map<String, Object> arguments, Closure<?> body) {
    log.add("[Pipeline] " + name);
    StepArguments validated = Steps.validate(name, arguments);
    this.validated.add(validated);
    // As the plugin does on the controller: the step's own registry credential joins the build's settings.
    String credentialsId = Steps.registryCredentialsId(validated);
    if (body == null) {
      Map<String, Object> result = stoppable(() -> Steps.call(validated, context(credentialsId)));
      stepResults.add(Map.entry(name, result));
      return result;
    }
    PromoteL3Step promote = Steps.promoteL3();
    L3Session session = stoppable(() -> promote.open(validated, context(credentialsId)));
    log.add("[Pipeline] {");
    Throwable bodyFailure = null;
    overlays.push(session.environment());
    masks.push(session.masked());
    int bodyStart = log.size();
    try {
      if (session.runsBody()) {
        body.call();
      }
    } catch (Throwable e) {
      bodyFailure = e;
    } finally {
      masks.pop();
      overlays.pop();
    }
    // What Jenkins' build log holds of the body: its output lines, without the Pipeline markers.
    List<String> bodyOutput = log.subList(bodyStart, log.size()).stream()
        .filter(line -> !line.startsWith("[Pipeline]")).toList();
    log.add("[Pipeline] }");
    if (bodyFailure != null && unwrapped(bodyFailure) instanceof Aborted stop) {
      // PromoteL3Execution's callback on a FlowInterruptedException: no verdict of the tests, the abort's.
      Map<String, Object> closed = promote.abort(session.withoutMasked(), stop.getMessage(),
          context(credentialsId));
      log.add("promoteL3: aborted: candidate " + session.candidate() + " rejected as " + closed.get("reason")
          + "; stack " + session.stack() + " destroyed");
      throw stop;
    }
    Map<String, Object> result = promote.close(session.withoutMasked(), bodyFailure == null,
        bodyFailure == null ? null : message(bodyFailure), bodyOutput, context(credentialsId));
    stepResults.add(Map.entry(name, result));
    if (bodyFailure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (bodyFailure instanceof Error error) {
      throw error;
    }
    if (bodyFailure != null) {
      throw new IllegalStateException(bodyFailure);
    }
    return result;
  }

  /**
   * A step's work as StepCallExecution runs it: when the build was stopped meanwhile (the thread interrupted), the
   * step's own line on what the abort undid goes to the log and the build ends aborted, as Jenkins prints it.
   */
  private <T> T stoppable(java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      if (Thread.interrupted()) {
        log.add(e.getMessage());
        throw new Aborted("Aborted by " + user);
      }
      throw e;
    }
  }

  /** Adds a line to the build log; the line {@link #abortAt} waits for stops the build there. */
  private void logged(String line) {
    log.add(line);
    if (abortAt.test(line)) {
      abortAt = any -> false;
      Thread.currentThread().interrupt();
    }
  }

  /** A line as the build log shows it: what an active promoteL3 body's filter masks is masked. */
  private String shown(String line) {
    String shown = line;
    for (Set<String> values : masks) {
      for (String value : values) {
        if (!value.isEmpty()) {
          shown = shown.replace(value, "****");
        }
      }
    }
    return shown;
  }

  private StepEnvironment context(String registryCredentialsId) {
    Path directory = directories.peek();
    return StepEnvironment.in(directory, configuration.forStep(registryCredentialsId))
        .withTempDirectory(directory.resolveSibling(directory.getFileName() + "@tmp"))
        .withUser(user, Set.of())
        .withBuildUrl((String) env.getOrDefault("BUILD_URL", null))
        .withEnvironment(environment(), Path.of(System.getProperty("user.home")))
        .withProgress(this::logged);
  }

  /** The build's environment as a step or {@code sh} sees it: the agent's, the build's, then each withEnv. */
  private Map<String, String> environment() {
    Map<String, String> all = new LinkedHashMap<>(System.getenv());
    env.forEach((k, v) -> all.put(k, String.valueOf(v)));
    List<Map<String, String>> outerFirst = new ArrayList<>(overlays);
    java.util.Collections.reverse(outerFirst);
    outerFirst.forEach(all::putAll);
    return all;
  }

  // --- Pipeline basics ----------------------------------------------------------------------------------------

  private void bindPipelineBasics() {
    var helper = getHelper();
    helper.registerAllowedMethod("echo", List.of(String.class), fn(args -> log.add(shown(String.valueOf(args.get(0))))));
    helper.registerAllowedMethod("echo", List.of(groovy.lang.GString.class),
        fn(args -> log.add(shown(String.valueOf(args.get(0))))));
    helper.registerAllowedMethod("error", List.of(String.class), fn(args -> {
      throw new PipelineError(String.valueOf(args.get(0)));
    }));
    helper.registerAllowedMethod("error", List.of(groovy.lang.GString.class), fn(args -> {
      throw new PipelineError(String.valueOf(args.get(0)));
    }));
    helper.registerAllowedMethod("node", List.of(Closure.class), fn(args -> ((Closure<?>) args.get(0)).call()));
    helper.registerAllowedMethod("node", List.of(String.class, Closure.class),
        fn(args -> ((Closure<?>) args.get(1)).call()));
    helper.registerAllowedMethod("stage", List.of(String.class, Closure.class), fn(args -> {
      stages.add((String) args.get(0));
      log.add("[Pipeline] stage (" + args.get(0) + ")");
      return ((Closure<?>) args.get(1)).call();
    }));
    helper.registerAllowedMethod("timeout", List.of(Map.class, Closure.class),
        fn(args -> ((Closure<?>) args.get(1)).call()));
    helper.registerAllowedMethod("checkout", List.of(Map.class), fn(args -> log.add("[Pipeline] checkout")));
    helper.registerAllowedMethod("dir", List.of(String.class, Closure.class), fn(args -> {
      directories.push(directories.peek().resolve((String) args.get(0)).normalize());
      try {
        return ((Closure<?>) args.get(1)).call();
      } finally {
        directories.pop();
      }
    }));
    helper.registerAllowedMethod("withEnv", List.of(List.class, Closure.class), fn(args -> {
      Map<String, String> overlay = new LinkedHashMap<>();
      for (Object entry : (List<?>) args.get(0)) {
        String[] pair = entry.toString().split("=", 2);
        overlay.put(pair[0], pair.length > 1 ? pair[1] : "");
      }
      overlays.push(overlay);
      try {
        return ((Closure<?>) args.get(1)).call();
      } finally {
        overlays.pop();
      }
    }));
    helper.registerAllowedMethod("input", List.of(Map.class), fn(args -> {
      log.add("[Pipeline] input: " + named(args.get(0)).get("message"));
      return input.apply(named(args.get(0)));
    }));
    helper.registerAllowedMethod("input", List.of(String.class), fn(args -> {
      log.add("[Pipeline] input: " + args.get(0));
      return input.apply(Map.of("message", args.get(0)));
    }));
    // Job parameters: declared by properties([parameters([...])]); a run without a value gets the default.
    for (String kind : List.of("string", "choice", "booleanParam", "text")) {
      helper.registerAllowedMethod(kind, List.of(Map.class), fn(args -> {
        Map<String, Object> declared = new LinkedHashMap<>(named(args.get(0)));
        declared.put("kind", kind);
        return declared;
      }));
    }
    helper.registerAllowedMethod("parameters", List.of(List.class), fn(args -> Map.of("parameters", args.get(0))));
    helper.registerAllowedMethod("properties", List.of(List.class), fn(args -> {
      for (Object property : (List<?>) args.get(0)) {
        if (property instanceof Map<?, ?> map && map.get("parameters") instanceof List<?> list) {
          for (Object p : list) {
            Map<String, Object> declared = named(p);
            declaredParameters.add(declared);
            Object fallback = declared.get("kind").equals("choice")
                ? ((List<?>) declared.get("choices")).get(0) : declared.get("defaultValue");
            params.putIfAbsent((String) declared.get("name"), fallback);
          }
        }
      }
      return null;
    }));
    helper.registerAllowedMethod("sh", List.of(String.class), fn(args -> sh(Map.of("script", args.get(0)))));
    helper.registerAllowedMethod("sh", List.of(groovy.lang.GString.class),
        fn(args -> sh(Map.of("script", args.get(0).toString()))));
    helper.registerAllowedMethod("sh", List.of(Map.class), fn(args -> sh(named(args.get(0)))));
  }

  /** {@code sh}: the real shell ({@code sh -xe}, as Jenkins runs it) in the current directory. */
  private Object sh(Map<String, Object> arguments) {
    String script = String.valueOf(arguments.get("script"));
    boolean returnStdout = Boolean.TRUE.equals(arguments.get("returnStdout"));
    boolean returnStatus = Boolean.TRUE.equals(arguments.get("returnStatus"));
    Path directory = directories.peek();
    Map<String, String> environment = environment();
    log.add("[Pipeline] sh");
    for (ShellSubstitute substitute : substitutes) {
      if (substitute.handle(script, directory, environment, log)) {
        return returnStatus ? 0 : null;
      }
    }
    try {
      Files.createDirectories(directory);
      ProcessBuilder builder = new ProcessBuilder("sh", "-xe", "-c", script).directory(directory.toFile())
          .redirectErrorStream(!returnStdout);
      builder.environment().clear();
      builder.environment().putAll(environment);
      Process process = builder.start();
      process.getOutputStream().close();
      StringBuilder stdout = new StringBuilder();
      Thread errors = null;
      if (returnStdout) {
        errors = new Thread(() -> lines(process.getErrorStream(), log::add));
        errors.start();
      }
      lines(process.getInputStream(), line -> {
        if (returnStdout) {
          stdout.append(line).append('\n');
        } else {
          logged(shown(line));
        }
      });
      int exit;
      try {
        exit = process.waitFor();
        if (errors != null) {
          errors.join();
        }
        if (Thread.interrupted()) { // stopped while the script ran, though it ended before waitFor saw it
          throw new InterruptedException();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly(); // as Jenkins ends an aborted sh
        throw new Aborted("Aborted by " + user);
      }
      if (returnStatus) {
        return exit;
      }
      if (exit != 0) {
        throw new PipelineError("script returned exit code " + exit);
      }
      return returnStdout ? stdout.toString() : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void lines(java.io.InputStream stream, java.util.function.Consumer<String> sink) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        sink.accept(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A build failure as Jenkins' {@code AbortException}: the message is all the log shows. */
  /** The build was stopped (Jenkins' FlowInterruptedException): the build ends ABORTED with this line. */
  static final class Aborted extends RuntimeException {
    Aborted(String message) {
      super(message);
    }
  }

  static final class PipelineError extends RuntimeException {
    PipelineError(String message) {
      super(message);
    }
  }

  private Closure<Object> fn(Function<List<Object>, Object> body) {
    return new Call(this, body);
  }

  /** A Groovy closure of zero to two arguments over a Java function. */
  public static final class Call extends Closure<Object> {
    private final transient Function<List<Object>, Object> body;

    Call(Object owner, Function<List<Object>, Object> body) {
      super(owner);
      this.body = body;
    }

    public Object doCall() {
      return body.apply(List.of());
    }

    public Object doCall(Object a) {
      return body.apply(java.util.Arrays.asList(a));
    }

    public Object doCall(Object a, Object b) {
      return body.apply(java.util.Arrays.asList(a, b));
    }
  }
}
