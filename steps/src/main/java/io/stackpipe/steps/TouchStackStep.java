package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.required;

import io.stackpipe.installation.Session;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackNames;
import java.util.List;
import java.util.Map;

/** touchStack: record activity on a stack, so the idle reaper starts counting again. */
final class TouchStackStep implements StepCall {

  private static final StepDescription DESCRIPTION = new StepDescription("touchStack",
      "Records activity on a stack: its idle time starts again and a reap warning is withdrawn.",
      false,
      List.of(required("name", STRING, "The stack's name.")),
      StackFields.RESULT,
      "touchStack name: 'alice-dev'");

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public void check(StepArguments arguments) {
    Steps.checkArgument(arguments, "name", name -> StackNames.namespaceFor("", name));
  }

  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    try (Session session = context.openSession()) {
      Stack stack = session.stacks().touch(arguments.string("name"));
      context.progress().accept("touched stack " + stack.name()
          + (stack.reapAt() == null ? "" : "; reaped if idle until " + stack.reapAt()));
      return stack.toMap();
    }
  }
}
