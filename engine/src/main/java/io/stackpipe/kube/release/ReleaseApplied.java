package io.stackpipe.kube.release;

import io.stackpipe.Result;
import io.stackpipe.kube.HelmReleases;
import java.util.Map;

/**
 * A release written by {@link ReleaseInstall} or {@link ReleaseUpgrade}.
 *
 * @param path {@code fast} (rendered by Helm, objects and record written by Stackpipe) or {@code helm} (a chart with
 *     hooks or CustomResourceDefinitions, handed to Helm's own install/upgrade)
 * @param changes what the fast path did to the objects, {@code null} on the {@code helm} path
 */
public record ReleaseApplied(String name, String namespace, int revision, String status, String chart,
    String appVersion, String path, Changes changes) implements Result {

  /**
   * @param drifted objects whose rendering did not change but whose live state had (patched back; counted in
   *     {@code updated} too)
   */
  public record Changes(int created, int updated, int drifted, int deleted, int unchanged, DriftCheck driftCheck)
      implements Result {
    @Override
    public Map<String, Object> toMap() {
      return Result.fields("created", created, "updated", updated, "drifted", drifted, "deleted", deleted,
          "unchanged", unchanged, "driftCheck", driftCheck == null ? null : driftCheck.name().toLowerCase());
    }
  }

  /** As {@code helm list} shows it. */
  public HelmReleases.Release release() {
    return new HelmReleases.Release(name, namespace, revision, status, chart, appVersion);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("name", name, "namespace", namespace, "revision", revision, "status", status,
        "chart", chart, "appVersion", appVersion, "path", path, "changes", changes == null ? null : changes.toMap());
  }
}
