package io.stackpipe.stack;

import java.util.LinkedHashMap;
import java.util.Map;

/** The umbrella chart a stack was created from: its name, version and content digest ({@code sha256:…}). */
public record StackManifest(String chart, String version, String digest) {

  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("chart", chart);
    map.put("version", version);
    map.put("digest", digest);
    return map;
  }
}
