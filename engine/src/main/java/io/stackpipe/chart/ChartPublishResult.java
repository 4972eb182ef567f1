package io.stackpipe.chart;

import io.stackpipe.Result;
import java.util.List;
import java.util.Map;

/** The charts a {@link ChartPublish} built, in service-name order. */
public record ChartPublishResult(List<ChartBuildResult> charts) implements Result {

  public ChartPublishResult {
    charts = List.copyOf(charts);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("charts", charts.stream().map(ChartBuildResult::toMap).toList());
  }
}
