package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.util.List;
import java.util.Map;

/**
 * The current L3 and the open candidates, newest first.
 *
 * @param tagRepaired whether this read found registry tag {@value L3#TAG} behind the pointer and moved it
 */
public record L3Shown(L3Version current, boolean tagRepaired, List<Candidate> open) implements Result {

  public L3Shown {
    open = List.copyOf(open);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("current", current.toMap(), "tagRepaired", tagRepaired,
        "open", open.stream().map(Candidate::toMap).toList());
  }
}
