package io.stackpipe.gate;

import io.stackpipe.Result;
import java.util.Map;

/**
 * An open candidate whose gate is gone, closed by {@link L3Gate#closeAbandoned} or {@link L3Gate#abortLeftBy}:
 * rejected with {@code reason}; its {@code stack} destroyed (or already gone).
 */
public record AbandonedCandidate(String candidate, String service, String version, String stack, String reason)
    implements Result {

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("candidate", candidate, "service", service, "version", version, "stack", stack,
        "reason", reason);
  }
}
