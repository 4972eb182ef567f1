package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.optional;
import static io.stackpipe.steps.StepParameter.required;

import io.stackpipe.PrivateTempDir;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.Durations;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackNames;
import io.stackpipe.stack.Stacks;
import io.stackpipe.umbrella.Umbrella;
import io.stackpipe.umbrella.UmbrellaStackResult;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** createEphemeralStack: a stack made of a manifest (L3 by default), every service with its ephemeral profile. */
final class CreateEphemeralStackStep implements StepCall {

  static final String NAME = "createEphemeralStack";
  static final String L3 = "l3";

  private static final List<ResultField> RESULT = new ArrayList<>(StackFields.RESULT.stream()
      .filter(f -> !f.name().equals("manifest")).toList());

  static {
    RESULT.addAll(List.of(
        new ResultField("manifest", "the manifest installed: chart, version, digest, reference (oci://…@sha256:…)"),
        new ResultField("profile", "the profile every service was installed with (ephemeral)"),
        new ResultField("release", "the one Helm release: name, namespace, revision, status, chart, appVersion"),
        new ResultField("services", "each service: name, alias, version, digest, secretsSkipped"),
        new ResultField("addresses", "each Service's address inside the cluster: service, port, url"),
        new ResultField("reach", "commands that reach the stack from a workstation")));
  }

  private static final StepDescription DESCRIPTION = new StepDescription(NAME,
      "Creates an ephemeral stack: a namespace with every service of a manifest (L3 by default) installed as one"
          + " umbrella release with its ephemeral profile, waiting until the pods are Ready. The idle reaper"
          + " destroys it after its ttl without activity.",
      false,
      List.of(
          required("name", STRING, "The stack's name (a DNS-1123 label, e.g. pr-42 or alice-dev)."),
          optional("owner", STRING, null, "Who the stack is for. Default: the user who started the build."),
          optional("manifest", STRING, L3, "What to install: l3 (the current L3), a version or tag of the manifest"
              + " chart (e.g. 0.0.0-sha-1a2b3c), a list of service charts (orders=1.4.0,billing=2.0.1) or an"
              + " oci:// reference of a manifest."),
          optional("ttl", STRING, "7d", "How long the stack may stay idle before it is reaped (e.g. 36h, 7d)."),
          optional("purpose", STRING, null, "Why the stack exists, shown in stack lists and reap warnings."),
          Steps.registryCredentialsId()),
      RESULT,
      "def stack = createEphemeralStack name: \"pr-${env.CHANGE_ID}\", purpose: 'review of PR ' + env.CHANGE_ID\n"
          + "echo \"namespace ${stack.namespace}: ${stack.services.collect { it.name + ' ' + it.version }}\"");

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public void check(StepArguments arguments) {
    Steps.checkArgument(arguments, "name", name -> StackNames.namespaceFor("", name));
    Steps.checkArgument(arguments, "ttl", Durations::parse);
  }

  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    String owner = StackFields.owner(arguments, context);
    Duration ttl = duration(arguments.string("ttl"));
    try (Session session = context.openSession();
        PrivateTempDir temp = PrivateTempDir.create(Optional.of(session.files()), "manifest-")) {
      Umbrella umbrella = session.manifest(arguments.string("manifest"), false, temp.path());
      UmbrellaStackResult created = session.umbrellaStack(arguments.string("name"))
          .withOwner(owner)
          .withPurpose(arguments.string("purpose"))
          .withTtl(ttl)
          .withUmbrella(umbrella)
          .call();
      reach(created, context);
      return created.toMap();
    }
  }

  /**
   * After a restart: the stack a first run of this call was making, if any — same name and owner, created since
   * {@code startedAt} (to the second: creation times are stored so) — is destroyed, so the call makes it anew.
   * Anyone else's stack of that name is left alone (the call then refuses it as existing).
   */
  void undoHalfMade(StepArguments arguments, Instant startedAt, StepEnvironment context) {
    String name = arguments.string("name");
    String owner = StackFields.owner(arguments, context);
    try (Session session = context.openSession()) {
      Stacks stacks = session.stacks();
      Optional<Stack> left = stacks.list(owner).stacks().stream().filter(s -> s.name().equals(name)).findFirst();
      if (left.isPresent() && left.get().created() != null
          && !left.get().created().isBefore(startedAt.truncatedTo(ChronoUnit.SECONDS))) {
        stacks.destroy(name).withVia("aborted create").call();
        context.progress().accept("destroyed stack " + name + ", left half made by the run before the restart");
      }
    }
  }

  /** How to connect, in the build log. */
  static void reach(UmbrellaStackResult created, StepEnvironment context) {
    context.progress().accept("stack " + created.stack().name() + " in namespace " + created.stack().namespace()
        + ": " + created.umbrella().name() + " " + created.umbrella().version());
    for (Umbrella.Service service : created.umbrella().services()) {
      String urls = created.addresses().stream().filter(a -> a.service().equals(service.key()))
          .map(a -> a.url()).reduce((a, b) -> a + " " + b).orElse("");
      context.progress().accept("  " + service.key() + " " + service.version() + (urls.isEmpty() ? "" : " " + urls));
    }
    context.progress().accept("reach it:");
    created.reach().forEach(line -> context.progress().accept("  " + line));
  }

  static Duration duration(String ttl) {
    try {
      return Durations.parse(ttl);
    } catch (IllegalArgumentException e) {
      throw StepException.ofArgument(NAME, "ttl", e.getMessage());
    }
  }
}
