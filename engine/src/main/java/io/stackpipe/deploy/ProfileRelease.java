package io.stackpipe.deploy;

import io.stackpipe.Result;
import java.util.Map;

/**
 * A chart installed with a profile: the Helm release it became.
 *
 * @param chart Helm's {@code name-version} of the installed chart
 * @param revision 1 for a fresh install, the next revision for an upgrade
 * @param secretsSkipped the profile holds a secrets.yaml that this install left out (no keys given)
 */
public record ProfileRelease(String name, String namespace, String profile, String chart, String appVersion,
    int revision, String status, boolean secretsSkipped) implements Result {

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("name", name, "namespace", namespace, "profile", profile, "chart", chart,
        "appVersion", appVersion, "revision", revision, "status", status, "secretsSkipped", secretsSkipped);
  }
}
