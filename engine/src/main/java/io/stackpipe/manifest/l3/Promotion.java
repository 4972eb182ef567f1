package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.io.Serializable;
import java.util.Map;

/**
 * One step of L3's history: L3 number {@code sequence} became umbrella {@code version}. The first (from init) has
 * no base, change or candidate.
 *
 * @param at instant (ISO-8601, UTC); {@code by} who promoted
 */
public record Promotion(int sequence, String version, String digest, String reference, String base, Change change,
    String candidate, String at, String by) implements Result, Serializable {

  private static final long serialVersionUID = 1L;

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("sequence", sequence, "version", version, "digest", digest, "reference", reference,
        "base", base, "change", change == null ? null : change.toMap(), "candidate", candidate, "at", at, "by", by);
  }
}
