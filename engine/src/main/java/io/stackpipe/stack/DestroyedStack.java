package io.stackpipe.stack;

import io.stackpipe.Result;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the installation remembers of a destroyed stack once its namespace is gone: what it was, and who destroyed
 * it, when and how ({@code via}: {@code destroy}, {@code reaper} or {@code gate}).
 */
public record DestroyedStack(String name, String namespace, StackType type, String owner, String purpose,
    Instant created, Instant destroyedAt, String destroyedBy, String via) implements Result {

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", name);
    map.put("namespace", namespace);
    map.put("type", type == null ? null : type.label());
    map.put("owner", owner);
    map.put("purpose", purpose);
    map.put("created", created == null ? null : created.toString());
    map.put("destroyedAt", destroyedAt.toString());
    map.put("destroyedBy", destroyedBy);
    map.put("via", via);
    return map;
  }
}
