package io.stackpipe.stack;

import io.stackpipe.Result;
import java.util.LinkedHashMap;
import java.util.Map;

/** A stack made sure of: the stack, and whether it was made now ({@code false}: it existed already). */
public record EnsuredStack(Stack stack, boolean createdNow) implements Result {

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>(stack.toMap());
    map.put("createdNow", createdNow);
    return map;
  }
}
