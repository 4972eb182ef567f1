package io.stackpipe.cli;

import io.stackpipe.Result;
import io.stackpipe.StackpipeException;
import io.stackpipe.gate.AbandonedCandidate;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.ReapReport;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stackpipe stack reap}: the engine's Reaper over the installation's stacks. */
@Command(name = "reap", mixinStandardHelpOptions = true,
    description = "Destroy idle ephemeral stacks and warn the owners of those about to be; exit 1 if one failed.")
final class StackReapCommand implements Callable<Integer> {
  @Mixin
  StackCommand.Target target;

  @Option(names = "--dry-run", description = "Decide and report, change nothing.")
  boolean dryRun;

  // No picocli defaults: an option left out adapts to those given (ReapPolicy#with), so --max-idle 12h alone works.
  @Option(names = "--max-idle", paramLabel = "DURATION",
      description = "Reap ephemeral stacks idle this long (default: 7d, at most --max-keep).")
  String maxIdle;

  @Option(names = "--warn-before", paramLabel = "DURATION",
      description = "Warn this long before (default: 24h, at most half of --max-idle).")
  String warnBefore;

  @Option(names = "--max-keep", paramLabel = "DURATION",
      description = "No ttl or keep-until keeps a stack longer than this after its last activity (default: 30d, at least --max-idle).")
  String maxKeep;

  @Option(names = "--now", paramLabel = "TIME",
      description = "Decide as if it were this time (an instant or a duration from now such as 7d); with --dry-run only.")
  String now;

  @Override
  public Integer call() {
    Clock clock = Clock.systemUTC();
    if (now != null) {
      if (!dryRun) {
        throw StackpipeException.ofField("now", "is only allowed with a dry run: a sweep reaps by the real time");
      }
      clock = Clock.fixed(StackCommand.date("now", now, clock), ZoneOffset.UTC);
    }
    try (Session session = target.installation.open()) {
      ReapReport report = session.withClock(clock).reaper()
          .withMaxKeep(optionalDuration("maxKeep", maxKeep))
          .withMaxIdle(optionalDuration("maxIdle", maxIdle))
          .withWarnBefore(optionalDuration("warnBefore", warnBefore))
          .dryRun(dryRun).call();
      // Then the candidates whose gate died: their stacks are gone now (or were reaped just above).
      List<AbandonedCandidate> abandoned = dryRun ? List.of() : session.closeAbandonedGates();
      Result printed = () -> {
        Map<String, Object> map = new LinkedHashMap<>(report.toMap());
        map.put("abandoned", abandoned.stream().map(AbandonedCandidate::toMap).toList());
        return map;
      };
      target.print(printed, text(report) + abandoned.stream().map(a -> String.format(Locale.ROOT,
          "%nclosed  candidate %s (%s %s): %s", a.candidate(), a.service(), a.version(), a.reason()))
          .collect(Collectors.joining()));
      return report.with(ReapReport.Outcome.FAILED).isEmpty() ? 0 : Stackpipe.REFUSED;
    }
  }

  /** {@code null} when the option is not given. */
  private static Duration optionalDuration(String field, String text) {
    return text == null ? null : StackCommand.duration(field, text);
  }

  static String text(ReapReport report) {
    StringBuilder text = new StringBuilder();
    for (ReapReport.Entry e : report.entries()) {
      text.append(String.format(Locale.ROOT, "%-7s %s (owner %s): %s%n", e.outcome().name().toLowerCase(Locale.ROOT),
          e.stack(), e.owner(), e.reason()));
    }
    text.append(String.format(Locale.ROOT, "%d stacks of installation %s at %s: %d reaped, %d warned, %d kept, %d failed%s",
        report.entries().size(), report.installation(), report.at(), report.with(ReapReport.Outcome.REAPED).size(),
        report.with(ReapReport.Outcome.WARNED).size(), report.with(ReapReport.Outcome.KEPT).size(),
        report.with(ReapReport.Outcome.FAILED).size(), report.dryRun() ? " (dry run: nothing changed)" : ""));
    return text.toString();
  }
}
