package io.stackpipe.deploy;

import io.stackpipe.Result;
import io.stackpipe.deploy.record.CanaryRecord;
import java.util.List;
import java.util.Map;

/**
 * What a deploy did on a stack.
 *
 * @param action {@code deploy}, {@code canary}, {@code promote} or {@code abort}
 * @param release the Helm release that changed (the canary's own for {@code canary})
 * @param chart Helm's {@code name-version}
 * @param digest the pulled artifact's manifest digest; null for a .tgz from disk
 * @param layers the values layers over the chart's defaults, in order
 * @param canary the canary opened, promoted or aborted; null otherwise
 */
public record DeployResult(String stack, String namespace, String action, String release, String chart,
    String version, String digest, String profile, int revision, String status, List<String> layers, String user,
    CanaryRecord canary) implements Result {

  public DeployResult {
    layers = List.copyOf(layers);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("stack", stack, "namespace", namespace, "action", action, "release", release,
        "chart", chart, "version", version, "digest", digest, "profile", profile, "revision", revision,
        "status", status, "layers", layers, "user", user, "canary", canary == null ? null : canary.toMap());
  }
}
