package io.stackpipe.cli;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.StackpipeException;
import io.stackpipe.umbrella.UmbrellaStack;
import io.stackpipe.umbrella.UmbrellaStackResult;
import io.stackpipe.installation.Session;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.stack.EnsuredStack;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stackpipe stack create}: an empty stack, or one made from a manifest (the engine's UmbrellaStack). */
@Command(name = "create", mixinStandardHelpOptions = true, resourceBundle = "io.stackpipe.cli.StepHelp",
    description = "Create a stack: its namespace, labelled and annotated, and with --manifest the services of an"
        + " umbrella chart installed as one release.")
final class StackCreateCommand extends StackCommand.StackSubcommand {
  @Parameters(paramLabel = "STACK", description = "The stack's name: a DNS-1123 label.")
  String name;

  @Option(names = "--owner", paramLabel = "O", required = true, description = "Who the stack is for.")
  String owner;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "ephemeral",
      description = "ephemeral (reaped when idle), persistent or production (default: ${DEFAULT-VALUE}).")
  String type;

  // The step's 7d is not the default here: this command also makes persistent stacks, which take no ttl, so an
  // ephemeral one without --ttl is reaped after the reap policy's maximum idle time (docs/stacks.md).
  @Option(names = "--ttl", paramLabel = "DURATION", descriptionKey = "createEphemeralStack.ttl.help")
  String ttl;

  @Option(names = "--purpose", paramLabel = "TEXT", descriptionKey = "createEphemeralStack.purpose")
  String purpose;

  @Option(names = "--manifest", paramLabel = "M", description = "The services: an umbrella chart"
      + " (oci://host/path/platform:1.2.0 or @sha256:…), a version or tag of it in --charts, or a list of service"
      + " charts in --charts (orders=1.4.0,billing=2.0.1) assembled into an umbrella.")
  String manifest;

  @Option(names = "--push", description = "Push an umbrella assembled from a list to --charts (an immutable version).")
  boolean push;

  @Option(names = "--profile", paramLabel = "P", defaultValue = UmbrellaStack.DEFAULT_PROFILE,
      description = "The profile every service is installed with (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
      description = "How long to wait for the pods to be Ready (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--no-wait", description = "Done once the objects exist; do not wait for Ready pods.")
  boolean noWait;

  @Option(names = "--keep-on-failure", description = "Keep the stack when its install fails, to look at it.")
  boolean keepOnFailure;

  @Option(names = "--if-absent", description = "Succeed when a stack of that name and --type exists already (left as"
      + " it is), as the ensureStack step does; not with --manifest.")
  boolean ifAbsent;

  @Override
  int run(Session session) {
    StackType stackType = StackType.parse(type);
    Duration idle = ttl == null ? null : StackCommand.duration("ttl", ttl);
    if (ifAbsent && manifest != null) {
      throw StackpipeException.ofField("ifAbsent", "not with --manifest: a stack of services is made once");
    }
    if (manifest == null) {
      var create = session.stacks().create(name).withOwner(owner).withType(stackType).withTtl(idle)
          .withPurpose(purpose);
      if (ifAbsent) {
        EnsuredStack ensured = create.ensure();
        target.print(ensured, ensured.createdNow() ? created(ensured.stack()) : "found stack " + name + " ("
            + ensured.stack().type().label() + ", owner " + ensured.stack().owner() + ") in namespace "
            + ensured.stack().namespace() + ": left as it is");
        return 0;
      }
      Stack stack = create.call();
      target.print(stack, created(stack) + "\n  kubectl --namespace " + stack.namespace() + " get all"
          + "\n  telepresence connect --namespace " + stack.namespace());
      return 0;
    }
    try (PrivateTempDir temp = PrivateTempDir.create(Optional.of(session.files()), "manifest-")) {
      UmbrellaStackResult created = session.umbrellaStack(name).withType(stackType).withOwner(owner)
          .withPurpose(purpose).withTtl(idle).keepOnFailure(keepOnFailure).withProfile(profile)
          .waitingUpTo(noWait ? null : StackCommand.duration("timeout", timeout))
          .withUmbrellaFrom(() -> session.manifest(manifest, push, temp.path())).call();
      target.print(created, summary(created));
    }
    return 0;
  }

  private static String created(Stack stack) {
    return "created stack " + stack.name() + " (" + stack.type().label() + ", owner " + stack.owner()
        + ") in namespace " + stack.namespace()
        + (stack.reapAt() == null ? "; never reaped" : "; reaped when idle, next at " + stack.reapAt());
  }

  /** The stack, its services and versions, and how to reach it. */
  static String summary(UmbrellaStackResult created) {
    Umbrella u = created.umbrella();
    StringBuilder text = new StringBuilder(created(created.stack()));
    text.append("\nmanifest ").append(u.name()).append(' ').append(u.version()).append(" (").append(u.digest())
        .append(')').append(u.reference() == null ? "" : " " + u.reference())
        .append("\nrelease ").append(created.release().name()).append(" revision ")
        .append(created.release().revision()).append(' ').append(created.release().status())
        .append(", profile ").append(created.values().profile()).append(':');
    for (int i = 0; i < u.services().size(); i++) {
      Umbrella.Service service = u.services().get(i);
      String urls = created.addresses().stream().filter(a -> a.service().equals(service.key()))
          .map(a -> a.url()).reduce((a, b) -> a + " " + b).orElse("");
      text.append(String.format(Locale.ROOT, "%n  %-20s %-14s %s%s", service.key(), service.version(), urls,
          created.values().services().get(i).secretsSkipped() ? "  (profile secrets not applied yet)" : ""));
    }
    text.append("\nreach it:");
    created.reach().forEach(line -> text.append("\n  ").append(line));
    return text.toString();
  }
}
