package io.stackpipe.stack;

import io.stackpipe.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A destroyed stack: the Helm releases uninstalled, whether the namespace was already gone (not an error:
 * destroying twice, or after the reaper, ends the same way), and whether it is gone now or Kubernetes is still
 * deleting what it held ({@code gone} false: the stack lists as destroying meanwhile).
 */
public record StackDestroyed(String name, String namespace, List<String> releases, boolean alreadyGone, boolean gone)
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
    map.put("gone", gone);
    return map;
  }
}
