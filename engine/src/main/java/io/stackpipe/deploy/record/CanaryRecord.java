package io.stackpipe.deploy.record;

import io.stackpipe.Result;
import java.util.List;
import java.util.Map;

/**
 * An open canary: release {@code canaryRelease} runs {@code source} beside the stable release, whose Service
 * sends it about {@code share} percent of the traffic.
 *
 * @param source the chart as {@code ChartSource.reference()} names it, pinned to its digest when pulled
 * @param sets the {@code --set} overrides it was deployed with; promote applies them to the stable release
 */
public record CanaryRecord(String canaryRelease, String source, String chart, String version, String profile,
    List<String> sets, int replicas, int stableReplicas, int share, String openedAt, String openedBy)
    implements Result {

  public CanaryRecord {
    sets = sets == null ? List.of() : List.copyOf(sets);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("canaryRelease", canaryRelease, "source", source, "chart", chart, "version", version,
        "profile", profile, "sets", sets, "replicas", replicas, "stableReplicas", stableReplicas, "share", share,
        "openedAt", openedAt, "openedBy", openedBy);
  }
}
