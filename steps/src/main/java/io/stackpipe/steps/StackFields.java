package io.stackpipe.steps;

import java.util.List;
import java.util.Optional;

/** The keys of a stack as the engine's {@code Stack.toMap()} gives them, and its owner, for the steps that make one. */
final class StackFields {

  static final List<ResultField> RESULT = List.of(
      new ResultField("name", "the stack's name"),
      new ResultField("namespace", "its namespace"),
      new ResultField("type", "ephemeral, persistent or production"),
      new ResultField("installation", "the Stackpipe installation it belongs to"),
      new ResultField("state", "active, destroying or terminating"),
      new ResultField("owner", "who it is for"),
      new ResultField("purpose", "why it exists, or null"),
      new ResultField("created", "when it was created (ISO-8601)"),
      new ResultField("lastActivity", "its last activity (ISO-8601)"),
      new ResultField("lastActivityKind", "create, deploy, touch or extend"),
      new ResultField("idle", "how long it has been idle (e.g. 2h)"),
      new ResultField("idleSeconds", "the same in seconds"),
      new ResultField("ttl", "its own idle limit, or null for the installation's"),
      new ResultField("keepUntil", "kept at least until then, or null"),
      new ResultField("reapAt", "when the reaper destroys it if it stays idle, null for never"),
      new ResultField("reapWarned", "whether its owner was warned of the reap"),
      new ResultField("manifest", "the manifest it was made from (chart, version, digest), or null"),
      new ResultField("unreadable", "annotations that could not be read (only present when some could not)"));

  private StackFields() {
  }

  /** A new stack's owner: the {@code owner} argument, else the build's user; refused when there is neither. */
  static String owner(StepArguments arguments, StepEnvironment context) {
    String owner = Optional.ofNullable(arguments.string("owner")).orElse(context.user());
    if (owner == null) {
      throw StepException.ofArgument(arguments.step(), "owner",
          "is required when the build was not started by a user");
    }
    return owner;
  }
}
