package io.stackpipe.deploy.record;

import io.stackpipe.Result;
import java.util.Map;

/**
 * One line of a stack's deploy history: who deployed what, when, and how it ended.
 *
 * @param action {@code deploy}, {@code canary}, {@code promote} or {@code abort}
 * @param result {@code succeeded} or {@code failed}
 * @param message the one-line reason of a failure, else empty
 */
public record DeployEntry(String at, String user, String action, String release, String chart, String version,
    String digest, String profile, int revision, String result, String message) implements Result {

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("at", at, "user", user, "action", action, "release", release, "chart", chart,
        "version", version, "digest", digest, "profile", profile, "revision", revision, "result", result,
        "message", message);
  }
}
