package io.stackpipe.steps;

import static io.stackpipe.steps.StepParameter.Type.BOOLEAN;
import static io.stackpipe.steps.StepParameter.Type.MAP;
import static io.stackpipe.steps.StepParameter.Type.STRING;
import static io.stackpipe.steps.StepParameter.optional;
import static io.stackpipe.steps.StepParameter.required;

import io.stackpipe.SemVer;
import io.stackpipe.deploy.ChartSource;
import io.stackpipe.deploy.Deploy;
import io.stackpipe.deploy.DeployResult;
import io.stackpipe.installation.Session;
import io.stackpipe.stack.StackNames;
import java.util.List;
import java.util.Map;

/** deployProfile: {@link Deploy} of one service's chart with one of its profiles onto a stack. */
final class DeployProfileStep implements StepCall {

  static final String NAME = "deployProfile";

  private static final StepDescription DESCRIPTION = new StepDescription(NAME,
      "Deploys one service's chart with one of its packaged profiles onto a stack: values layered from inside the"
          + " artifact with the profile's decrypted secrets, under the stack's lock and policy (profiles,"
          + " deploy windows, deployers, quality: L3), atomically (a failed release is rolled back), recorded in"
          + " the stack's deploy history.",
      false,
      List.of(
          required("chart", STRING, "The chart: its name in the chart registry (with version: or fromL3:), an"
              + " oci://host/path/name:version reference, or a .tgz in the workspace."),
          optional("version", STRING, null, "The chart version, with a chart name. Not with fromL3: (L3 decides)."),
          required("profile", STRING, "The profile packaged in the chart (profiles/<profile>/)."),
          required("stack", STRING, "The stack to deploy onto."),
          optional("set", MAP, Map.of(), "Overrides, the last values layer, as Helm's --set takes them:"
              + " [replicaCount: '2', 'image.pullPolicy': 'Always']."),
          optional("wait", BOOLEAN, true, "Succeed only when the pods are Ready (false: once Helm has applied it)."),
          optional("fromL3", BOOLEAN, false, "Deploy the version of this chart that the current L3 holds."),
          Steps.registryCredentialsId()),
      List.of(
          new ResultField("stack", "the stack"),
          new ResultField("namespace", "its namespace"),
          new ResultField("action", "deploy"),
          new ResultField("release", "the Helm release (the chart's name)"),
          new ResultField("chart", "Helm's name-version"),
          new ResultField("version", "the chart version deployed"),
          new ResultField("digest", "the pulled artifact's manifest digest (null for a .tgz)"),
          new ResultField("profile", "the profile"),
          new ResultField("revision", "the release's new revision"),
          new ResultField("status", "the release's status (deployed)"),
          new ResultField("layers", "the values layers over the chart's defaults, in order"),
          new ResultField("user", "who deployed (the build's user)"),
          new ResultField("canary", "null")),
      "def deployed = deployProfile chart: 'orders', version: '1.4.0', profile: 'qa1', stack: 'qa1',\n"
          + "                             set: [replicaCount: '2']\n"
          + "echo \"${deployed.release} revision ${deployed.revision} ${deployed.status}\"");

  @Override
  public StepDescription description() {
    return DESCRIPTION;
  }

  @Override
  public void check(StepArguments arguments) {
    Steps.checkArgument(arguments, "version", version -> SemVer.parse("version", version));
    Steps.checkArgument(arguments, "stack", stack -> StackNames.namespaceFor("", stack));
  }

  @Override
  public Map<String, Object> call(StepArguments arguments, StepEnvironment context) {
    String chart = arguments.string("chart");
    String version = arguments.string("version");
    boolean fromL3 = arguments.bool("fromL3");
    // The arguments' combinations are refused before anything is contacted.
    ChartSource.check(chart, version, fromL3, context.settings().charts());
    try (Session session = context.openSession()) {
      Deploy deploy = session.deploy(arguments.string("stack"))
          .withChart(session.chart(chart, version, fromL3, context.workspace()))
          .withProfile(arguments.string("profile"))
          .withSets(arguments.map("set").entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
      if (!arguments.bool("wait")) {
        deploy.withoutWait();
      }
      DeployResult result = deploy.call();
      context.progress().accept("deployed " + result.release() + " " + result.chart() + " (profile "
          + result.profile() + ") to stack " + result.stack() + ", revision " + result.revision() + ", " + result.status());
      return result.toMap();
    }
  }
}
