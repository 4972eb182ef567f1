package io.stackpipe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stackpipe.Result;
import io.stackpipe.chart.ChartBuildResult;
import java.io.PrintWriter;
import java.util.Map;

/** Renders engine results as a human summary or as JSON: the result's own {@link Result#toMap()} view. */
final class Output {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Output() {
  }

  static void print(PrintWriter out, ChartBuildResult result, boolean json) {
    out.println(json ? toJson(result.toMap()) : summary(result));
    out.flush();
  }

  static String summary(ChartBuildResult result) {
    StringBuilder text = new StringBuilder();
    text.append(result.name()).append(' ').append(result.version());
    switch (result.publication()) {
      case PUSHED -> text.append(" published to ").append(result.published());
      case ALREADY_PUBLISHED -> text.append(" already published with the same content at ").append(result.published());
      case NOT_PUSHED -> text.append(" packaged (not pushed)");
    }
    text.append("\n  chart digest: ").append(result.chartDigest());
    text.append("\n  image:        ").append(result.image() == null ? "(not pinned)" : result.image());
    text.append("\n  profiles:     ").append(result.profiles().isEmpty() ? "(none)" : String.join(", ", result.profiles()));
    text.append("\n  artifact:     ").append(result.artifact());
    return text.toString();
  }

  static String toJson(Map<String, Object> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
