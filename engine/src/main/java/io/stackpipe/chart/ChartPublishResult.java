package io.stackpipe.chart;

import io.stackpipe.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The charts a {@link ChartPublish} built, in service-name order. */
public record ChartPublishResult(List<ChartBuildResult> charts) implements Result {

  public ChartPublishResult {
    charts = List.copyOf(charts);
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("charts", charts.stream().map(ChartBuildResult::toMap).toList());
    return map;
  }
}
