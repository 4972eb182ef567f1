package io.stackpipe.cli;

import io.stackpipe.umbrella.UmbrellaStack;
import io.stackpipe.gate.GateResult;
import io.stackpipe.gate.L3Gate;
import io.stackpipe.gate.SystemTest;
import io.stackpipe.installation.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stackpipe l3 gate}: the engine's {@link L3Gate} in one call, the test command run from the working
 * directory with the CLI's environment. Exit 0 when the candidate is promoted (or the version was in L3 already),
 * 1 when it is rejected or stale.
 */
@Command(name = "gate", description = "Candidate, ephemeral stack, system tests, then promote or reject: the pipeline"
    + " step in one command. The test command follows --, with STACK_NAMESPACE, KUBECONFIG and <SERVICE>_URL in its"
    + " environment.", resourceBundle = "io.stackpipe.cli.StepHelp", defaultValueProvider = StepHelp.Defaults.class)
final class L3GateCommand implements Callable<Integer> {

  @Mixin
  L3Command.Target target;

  @Option(names = "--service", paramLabel = "NAME", required = true, description = "The service chart that changes.")
  String service;

  @Option(names = "--version", paramLabel = "V", required = true, description = "Its new chart version (in --charts).")
  String version;

  @Option(names = "--keep-on-failure", descriptionKey = "promoteL3.keepStackOnFailure")
  boolean keepOnFailure;

  @Option(names = "--profile", paramLabel = "P", defaultValue = UmbrellaStack.DEFAULT_PROFILE,
      description = "The profile every service of the candidate's stack is installed with (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
      description = "How long the candidate's pods may take to be Ready (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--test-timeout", paramLabel = "DURATION", defaultValue = "30m",
      description = "How long the test command may run (default: ${DEFAULT-VALUE}).")
  String testTimeout;

  @Option(names = "--build-url", paramLabel = "URL", description = "The CI build that runs the gate, recorded.")
  String buildUrl;

  @Parameters(paramLabel = "COMMAND", arity = "1..*",
      description = "The system-test command and its arguments, after --.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() {
    SystemTest test = SystemTest.of(command).in(Stackpipe.workingDirectory()).withEnvironment(Stackpipe.environment())
        .withTimeout(StackCommand.duration("testTimeout", testTimeout));
    try (Session session = target.installation.open()) {
      GateResult result = session.gate().withBuildUrl(buildUrl).withProfile(profile)
          .waitingUpTo(StackCommand.duration("timeout", timeout)).keepOnFailure(keepOnFailure)
          .run(service, version, test);
      target.print(result, text(result));
      return result.succeeded() ? 0 : Stackpipe.REFUSED;
    }
  }

  /** Before and after, the verdict, the stack used and the timings. */
  static String text(GateResult r) {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "L3 before: %s%n", manifest(r.before().version(), r.before().services())));
    if (r.candidate() != null) {
      text.append(String.format(Locale.ROOT, "candidate %s: %s %s -> %s as %s, stack %s (namespace %s)%n",
          r.candidate(), r.service(), r.from() == null ? "(new)" : r.from(), r.version(), r.candidateVersion(),
          r.stack(), r.namespace()));
    }
    if (r.test() != null) {
      text.append(String.format(Locale.ROOT, "system test: %s: %s in %s%n", String.join(" ", r.test().command()),
          r.test().timedOut() ? "timed out" : "exit " + r.test().exitCode(), seconds(r.test().duration().toMillis())));
    }
    text.append("verdict: ").append(r.verdict().label()).append(r.reason().isEmpty() ? "" : ": " + r.reason())
        .append(System.lineSeparator());
    text.append(String.format(Locale.ROOT, "L3 after:  %s", manifest(r.after().version(), r.after().services())));
    if (r.stackKept()) {
      text.append(String.format(Locale.ROOT, "%nstack %s kept: stackpipe stack destroy %s", r.stack(), r.stack()));
    }
    if (!r.timings().isEmpty()) {
      text.append(System.lineSeparator()).append("timings: ").append(r.timings().entrySet().stream()
          .map(e -> e.getKey() + " " + seconds(e.getValue())).collect(Collectors.joining(", ")));
    }
    return text.toString();
  }

  static String manifest(String version, Map<String, String> services) {
    return version + " (" + services.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", ")) + ")";
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", Duration.ofMillis(millis).toMillis() / 1000.0);
  }
}
