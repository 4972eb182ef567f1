package io.stackpipe.secrets.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackpipe.secrets.SecretsException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** sops' JSON store: one document, key order kept, integers in the int64 range as ints and other numbers as floats. */
final class JsonStore {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private JsonStore() {
  }

  static List<Tree.Branch> parse(String content) {
    JsonNode root;
    try {
      root = MAPPER.readTree(content);
    } catch (JsonProcessingException e) {
      throw new SecretsException("not valid JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr());
    }
    if (root == null || !root.isObject()) {
      throw new SecretsException("a sops JSON document must be an object");
    }
    return new ArrayList<>(List.of((Tree.Branch) toTree(root)));
  }

  private static Object toTree(JsonNode n) {
    if (n.isObject()) {
      Tree.Branch b = new Tree.Branch();
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        b.add(new Tree.Item(e.getKey(), toTree(e.getValue())));
      }
      return b;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(c -> l.add(toTree(c)));
      return l;
    }
    if (n.isNull()) {
      return null;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    return n.asText();
  }

  static String emit(List<Tree.Branch> branches) {
    if (branches.size() != 1) {
      throw new SecretsException("JSON files hold exactly one document, not " + branches.size());
    }
    return emitValue(branches.get(0)) + "\n";
  }

  static String emitValue(Object value) {
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter(
        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
        .withObjectIndenter(new DefaultIndenter("\t", "\n"))
        .withArrayIndenter(new DefaultIndenter("\t", "\n"));
    try {
      return MAPPER.writer(pp).writeValueAsString(toJson(value));
    } catch (JsonProcessingException e) {
      throw new SecretsException("cannot write JSON: " + e.getClass().getSimpleName());
    }
  }

  private static JsonNode toJson(Object v) {
    if (v instanceof Tree.Branch b) {
      ObjectNode o = F.objectNode();
      for (Tree.Item i : b) {
        if (i.key() instanceof String k) {
          o.set(k, toJson(i.value()));
        }
      }
      return o;
    }
    if (v instanceof List<?> l) {
      ArrayNode a = F.arrayNode();
      for (Object o : l) {
        if (!(o instanceof Tree.Comment)) {
          a.add(toJson(o));
        }
      }
      return a;
    }
    if (v == null) {
      return F.nullNode();
    }
    if (v instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (v instanceof Long l) {
      return F.numberNode(l);
    }
    if (v instanceof Double d) {
      // like Go's encoding/json: 5432.0 is written 5432, and never in exponent form for ordinary magnitudes
      return d.isNaN() || d.isInfinite() ? F.textNode(GoFormat.formatFloat(d))
          : F.numberNode(new java.math.BigDecimal(GoFormat.formatFloat(d)));
    }
    if (v instanceof byte[] bytes) {
      return F.textNode(new String(bytes, StandardCharsets.UTF_8));
    }
    if (v instanceof OffsetDateTime t) {
      return F.textNode(GoFormat.rfc3339Nano(t));
    }
    return F.textNode(v.toString());
  }
}
