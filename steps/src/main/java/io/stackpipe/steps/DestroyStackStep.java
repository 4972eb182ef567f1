package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.required;

import io.stackpipe.installation.Session;
import java.util.List;
import java.util.Map;

/** destroyStack: uninstall a stack's releases and delete its namespace. */
final class DestroyStackStep implements StepCall {

  private static final StepDescription DESCRIPTION = new StepDescription("destroyStack",
      "Uninstalls a stack's Helm releases, deletes its namespace and waits until it is gone. A stack already gone"
          + " is not an error.",
      false,
      List.of(required("name", STRING, "The stack's name.")),
      List.of(
          new ResultField("name", "the stack's name"),
          new ResultField("namespace", "its namespace"),
          new ResultField("releases", "the Helm releases uninstalled"),
          new ResultField("alreadyGone", "true when there was nothing left to destroy")),
      "destroyStack name: \"pr-${env.CHANGE_ID}\"");

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    try (Session session = context.openSession()) {
      Map<String, Object> result = session.stacks().destroy(arguments.string("name")).toMap();
      context.progress().accept("destroyed stack " + arguments.string("name"));
      return result;
    }
  }
}
