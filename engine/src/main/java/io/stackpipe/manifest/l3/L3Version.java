package io.stackpipe.manifest.l3;

import io.stackpipe.Result;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One L3: the umbrella {@code manifest} at {@code version} (immutable in the registry), its services, and the
 * promotion that made it current. What the pointer holds for the current L3.
 *
 * @param sequence 1 for the L3 made by init, +1 per promotion
 * @param services name → version, sorted by name
 */
public record L3Version(String manifest, int sequence, String version, String digest, String reference,
    Map<String, String> services, Promotion promotion) implements Result, Serializable {

  // Serializable (as are Promotion and Change): a gate's session carries its base across processes.
  private static final long serialVersionUID = 1L;

  public L3Version {
    services = Collections.unmodifiableMap(new TreeMap<>(services == null ? Map.of() : services));
  }

  /** {@code oci://host/path/<manifest>}, where plain Helm finds every L3 and candidate by version. */
  public String chart() {
    return reference.substring(0, reference.lastIndexOf('@'));
  }

  @Override
  public Map<String, Object> toMap() {
    return Result.fields("manifest", manifest, "sequence", sequence, "version", version, "digest", digest,
        "reference", reference, "services", new LinkedHashMap<>(services), "promotion", promotion.toMap());
  }
}
