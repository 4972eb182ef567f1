package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.util.Map;

/**
 * A promotion done: L3 went from {@code before} to {@code after} (the candidate's umbrella).
 *
 * @param tagMirrored whether registry tag {@value L3#TAG} was moved too; when not (registry unreachable), the next
 *     read repairs it from the pointer
 */
public record Promoted(L3Version before, L3Version after, Candidate candidate, boolean tagMirrored)
    implements Result {

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("before", before.toMap(), "after", after.toMap(), "candidate", candidate.toMap(),
        "tagMirrored", tagMirrored);
  }
}
