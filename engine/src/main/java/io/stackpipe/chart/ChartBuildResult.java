package io.stackpipe.chart;

import java.nio.file.Path;
import java.util.List;

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
    Publication publication) {

  public enum Publication {
    /** Not pushed: no target registry was given. */
    NOT_PUSHED,
    /** Pushed now. */
    PUSHED,
    /** The registry already held this version with the same content: nothing to do. */
    ALREADY_PUBLISHED
  }
}
