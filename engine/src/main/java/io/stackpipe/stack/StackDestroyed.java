package io.stackpipe.stack;

import io.stackpipe.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A destroyed stack: the Helm releases uninstalled, and whether the namespace was already gone (not an error:
 * destroying twice, or after the reaper, ends the same way).
 */
public record StackDestroyed(String name, String namespace, List<String> releases, boolean alreadyGone)
    implements Result {
  public StackDestroyed {
    releases = List.copyOf(releases);
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", name);
    map.put("namespace", namespace);
    map.put("releases", releases);
    map.put("alreadyGone", alreadyGone);
    return map;
  }
}
