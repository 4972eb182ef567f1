package io.stackpipe.deploy;

import io.stackpipe.Result;
import java.util.List;
import java.util.Map;

/**
 * What a sync did, service by service in name order: each step is {@code deployed}, {@code unchanged} (already
 * at the target version), {@code failed} (the sync stopped there) or {@code left} (not reached because of the
 * failure). Releases on the stack that the manifest does not name are left alone and listed.
 */
public record StackSyncResult(String stack, String namespace, String manifest, String version, List<Step> steps,
    List<String> notInManifest) implements Result {

  /**
   * One service of the manifest.
   *
   * @param from the version deployed before ({@code null}: none)
   * @param profile the profile it was (or would have been) deployed with
   * @param revision the release's revision after a deploy, else 0
   * @param message why it failed, else empty
   */
  public record Step(String service, String from, String to, String profile, String outcome, int revision,
      String message) implements Result {
    @Override
    public Map<String, Object> toMap() {
      return Result.fields("service", service, "from", from, "to", to, "profile", profile, "outcome", outcome,
          "revision", revision, "message", message);
    }
  }

  public StackSyncResult {
    steps = List.copyOf(steps);
    notInManifest = List.copyOf(notInManifest);
  }

  public List<Step> with(String outcome) {
    return steps.stream().filter(s -> s.outcome().equals(outcome)).toList();
  }

  /** Every service of the manifest runs its target version now. */
  public boolean complete() {
    return with("failed").isEmpty();
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("stack", stack, "namespace", namespace, "manifest", manifest, "version", version,
        "complete", complete(), "deployed", names("deployed"), "unchanged", names("unchanged"),
        "failed", names("failed"), "left", names("left"), "notInManifest", notInManifest,
        "steps", steps.stream().map(Step::toMap).toList());
  }

  private List<String> names(String outcome) {
    return with(outcome).stream().map(Step::service).toList();
  }
}
