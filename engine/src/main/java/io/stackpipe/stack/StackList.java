package io.stackpipe.stack;

import io.stackpipe.Result;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The stacks of one installation as one LIST saw them at {@code at}, sorted by name. */
public record StackList(Instant at, String installation, List<Stack> stacks) implements Result {
  public StackList {
    stacks = List.copyOf(stacks);
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("at", at.toString());
    map.put("installation", installation);
    map.put("stacks", stacks.stream().map(Stack::toMap).toList());
    return map;
  }
}
