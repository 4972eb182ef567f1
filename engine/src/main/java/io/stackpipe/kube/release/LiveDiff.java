package io.stackpipe.kube.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * How a desired object compares with what the cluster holds, and the JSON merge patch that brings the live object
 * to the desired one: Helm's three-way merge in the form of a merge patch.
 *
 * <p>A live object <em>matches</em> when every field the desired object sets has the same value live: fields the
 * API server or controllers add (defaults, status, clusterIP) are not drift. Numbers compare by value, and a number
 * matches its own text (a quantity {@code cpu: 1} reads back as {@code "1"}).
 */
final class LiveDiff {

  private LiveDiff() {}

  /** The object in the form the API server keeps it: a Secret's {@code stringData} folded into {@code data}. */
  static ObjectNode normalized(ObjectNode object) {
    if (!object.path("kind").asText().equals("Secret") || !object.has("stringData")) {
      return object;
    }
    ObjectNode copy = object.deepCopy();
    JsonNode stringData = copy.remove("stringData");
    ObjectNode data = copy.has("data") && copy.get("data").isObject() ? (ObjectNode) copy.get("data")
        : copy.putObject("data");
    for (Iterator<Map.Entry<String, JsonNode>> it = stringData.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      data.put(field.getKey(), Base64.getEncoder().encodeToString(
          field.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    }
    return copy;
  }

  /** Whether every field {@code desired} sets has the same value in {@code live}. */
  static boolean matches(JsonNode desired, JsonNode live) {
    if (desired == null || desired.isNull() || desired.isMissingNode()) {
      return live == null || live.isNull() || live.isMissingNode() || live.isEmpty() && live.isContainerNode();
    }
    if (live == null || live.isNull() || live.isMissingNode()) {
      return desired.isContainerNode() && desired.isEmpty();
    }
    if (desired.isObject()) {
      if (!live.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!matches(field.getValue(), live.get(field.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (desired.isArray()) {
      if (!live.isArray() || live.size() != desired.size()) {
        return false;
      }
      for (int i = 0; i < desired.size(); i++) {
        if (!matches(desired.get(i), live.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired.isNumber()) {
      if (live.isNumber()) {
        return desired.decimalValue().compareTo(live.decimalValue()) == 0;
      }
      return live.isTextual() && live.asText().equals(desired.asText());
    }
    if (desired.isTextual() && live.isNumber()) {
      return desired.asText().equals(live.asText());
    }
    return desired.equals(live);
  }

  /**
   * The merge patch from {@code live} to {@code desired}: every field of {@code desired} that {@code live} lacks or
   * holds otherwise, and {@code null} for every field {@code original} (the previous revision's object) set that
   * {@code desired} no longer sets. Lists are replaced whole, as a merge patch does. Empty when nothing differs.
   */
  static ObjectNode patch(JsonNode original, JsonNode desired, JsonNode live) {
    ObjectNode patch = ApiCalls.JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode want = field.getValue();
      JsonNode have = live == null ? null : live.get(key);
      if (want.isObject() && have != null && have.isObject()) {
        ObjectNode nested = patch(original == null ? null : original.get(key), want, have);
        if (!nested.isEmpty()) {
          patch.set(key, nested);
        }
      } else if (!matches(want, have)) {
        patch.set(key, want);
      }
    }
    if (original != null && original.isObject()) {
      for (Iterator<String> it = original.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!desired.has(key) && live != null && live.has(key) && !live.get(key).isNull()) {
          patch.set(key, NullNode.getInstance());
        }
      }
    }
    return patch;
  }
}
