package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.optional;
import static io.stackpipe.steps.StepParameter.required;

import io.stackpipe.StackpipeException;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.EnsuredStack;
import io.stackpipe.stack.StackNames;
import io.stackpipe.stack.StackType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ensureStack: makes sure a persistent (or production) stack exists, so a pipeline can deploy to it on a fresh installation. */
final class EnsureStackStep implements StepCall {

  static final String NAME = "ensureStack";

  private static final List<ResultField> RESULT = new ArrayList<>(StackFields.RESULT);

  static {
    RESULT.add(new ResultField("createdNow", "true when this call made the stack, false when it existed already"));
  }

  private static final StepDescription DESCRIPTION = new StepDescription(NAME,
      "Makes sure a persistent or production stack exists, so a pipeline can deploy to it on a fresh installation:"
          + " an existing stack of the same type is left as it is (its owner and purpose stay), one of another type"
          + " is refused. Persistent and production stacks are never reaped.",
      false,
      List.of(required("name", STRING, "The stack's name (a DNS-1123 label, e.g. qa1)."),
          optional("type", STRING, "persistent", "persistent or production (ephemeral stacks come from"
              + " createEphemeralStack)."),
          optional("owner", STRING, null, "Who the stack is for, when this call makes it. Default: the user who"
              + " started the build."),
          optional("purpose", STRING, null, "Why the stack exists, when this call makes it.")),
      List.copyOf(RESULT),
      "ensureStack name: 'qa1', owner: 'team-qa', purpose: 'QA of the release train'\n"
          + "deployProfile chart: 'orders', version: chart.version, profile: 'qa1', stack: 'qa1'");

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public void check(StepArguments arguments) {
    Steps.checkArgument(arguments, "name", name -> StackNames.namespaceFor("", name));
    Steps.checkArgument(arguments, "type", EnsureStackStep::type);
  }

  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    String owner = StackFields.owner(arguments, context);
    try (Session session = context.openSession()) {
      EnsuredStack ensured = session.stacks().create(arguments.string("name")).withOwner(owner)
          .withType(type(arguments.string("type"))).withPurpose(arguments.string("purpose")).ensure();
      context.progress().accept((ensured.createdNow() ? "created " : "found ") + ensured.stack().type().label()
          + " stack " + ensured.stack().name() + " (owner " + ensured.stack().owner() + ") in namespace "
          + ensured.stack().namespace());
      return ensured.toMap();
    }
  }

  private static StackType type(String text) {
    StackType type = StackType.parse(text);
    if (type == StackType.EPHEMERAL) {
      throw new StackpipeException("ephemeral stacks come from createEphemeralStack (they need a ttl and a manifest)");
    }
    return type;
  }
}
