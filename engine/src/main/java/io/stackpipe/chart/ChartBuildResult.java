package io.stackpipe.chart;

import io.stackpipe.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a chart build: the immutable pair of chart and image, and where the chart went.
 *
 * @param chartDigest sha256 of the packaged archive (the registry's chart layer digest)
 * @param image the pinned image as {@code repository@digest}, or null when the build pinned none
 * @param published where the chart was pushed ({@code oci://host/path/name:version}), or null when not pushed
 */
public record ChartBuildResult(
    String name,
    String version,
    String appVersion,
    String chartDigest,
    String image,
    List<String> profiles,
    List<RenderedProfile> rendered,
    Path artifact,
    String published,
    Publication publication) implements Result {

  public enum Publication {
    /** Not pushed: no target registry was given. */
    NOT_PUSHED,
    /** Pushed now. */
    PUSHED,
    /** The registry already held this version with the same content: nothing to do. */
    ALREADY_PUBLISHED
  }

  /** The fields a pipeline uses; the rendered manifests stay out (they are checks, not output). */
  @Override
  public Map<String, Object> toMap() {
    return Result.fields("name", name, "version", version, "appVersion", appVersion, "chartDigest", chartDigest,
        "image", image, "profiles", List.copyOf(profiles), "artifact", artifact.toString(), "published", published,
        "publication", publication.name());
  }
}
