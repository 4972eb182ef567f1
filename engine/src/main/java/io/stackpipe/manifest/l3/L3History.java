package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.util.List;
import java.util.Map;

/**
 * Promotions of L3, newest first; with {@code service} only those that changed it (the first L3, made by init, is
 * listed only unfiltered).
 */
public record L3History(String manifest, String service, List<Promotion> promotions) implements Result {

  public L3History {
    promotions = List.copyOf(promotions);
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("manifest", manifest, "service", service,
        "promotions", promotions.stream().map(Promotion::toMap).toList());
  }
}
