package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.optional;
import static io.stackpipe.steps.StepParameter.required;

import io.stackpipe.installation.Session;
import io.stackpipe.stack.StackNames;
import java.util.List;
import java.util.Map;

/** destroyStack: uninstall a stack's releases and delete its namespace; production only when confirmed. */
final class DestroyStackStep implements StepCall {

  private static final StepDescription DESCRIPTION = new StepDescription("destroyStack",
      "Uninstalls a stack's Helm releases and deletes its namespace, recording who destroyed it; returns once"
          + " Kubernetes is deleting it (the stack shows destroying until then). A stack already gone is not an"
          + " error. A production stack is destroyed only with confirm: naming it again.",
      false,
      List.of(required("name", STRING, "The stack's name."),
          optional("confirm", STRING, null, "The stack's name once more: required to destroy a production stack.")),
      List.of(
          new ResultField("name", "the stack's name"),
          new ResultField("namespace", "its namespace"),
          new ResultField("releases", "the Helm releases uninstalled"),
          new ResultField("alreadyGone", "true when there was nothing left to destroy"),
          new ResultField("gone", "true when the namespace is gone, false while Kubernetes still deletes it")),
      "destroyStack name: \"pr-${env.CHANGE_ID}\"");

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
      Map<String, Object> result = session.stacks().destroy(arguments.string("name"))
          .withConfirmation(arguments.string("confirm")).call().toMap();
      context.progress().accept("destroyed stack " + arguments.string("name"));
      return result;
    }
  }
}
