package io.stackpipe.secrets.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.stackpipe.secrets.core.SecretsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** sops' JSON store: one document, key order kept, every number a float64 as sops 3.11 reads it. */
final class JsonStore {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonStore() {
  }

  static List<Tree.Branch> parse(String content) {
    try (JsonParser p = FACTORY.createParser(content)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new SecretsException("a sops JSON document must be an object");
      }
      Tree.Branch root = (Tree.Branch) read(p);
      if (p.nextToken() != null) {
        throw new SecretsException("not valid JSON: more content after the document");
      }
      return new ArrayList<>(List.of(root));
    } catch (JsonProcessingException e) {
      throw new SecretsException("not valid JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw new SecretsException("cannot read JSON (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The value at the parser's current token; numbers from their text, so -0 stays negative as in Go. */
  private static Object read(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT -> {
        Tree.Branch b = new Tree.Branch();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          b.add(new Tree.Item(key, read(p)));
        }
        return b;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(read(p));
        }
        return l;
      }
      case VALUE_NULL -> {
        return null;
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return p.getBooleanValue();
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        // sops 3.11 reads every JSON number as a float64
        return Double.parseDouble(p.getText());
      }
      default -> {
        return p.getText();
      }
    }
  }

  static String emit(List<Tree.Branch> branches) {
    if (branches.size() != 1) {
      throw new SecretsException("JSON files hold exactly one document, not " + branches.size());
    }
    return emitValue(branches.get(0)) + "\n";
  }

  /** A value as Go's json.MarshalIndent(v, "", "\t") writes it (HTML characters escaped like json.Marshal). */
  static String emitValue(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int depth) {
    if (v instanceof Tree.Branch b) {
      List<Tree.Item> items = b.stream().filter(i -> i.key() instanceof String).toList();
      sb.append('{');
      for (int i = 0; i < items.size(); i++) {
        sb.append(i == 0 ? "\n" : ",\n").append("\t".repeat(depth + 1));
        quote(sb, (String) items.get(i).key());
        sb.append(": ");
        write(sb, items.get(i).value(), depth + 1);
      }
      sb.append(items.isEmpty() ? "" : "\n" + "\t".repeat(depth)).append('}');
    } else if (v instanceof List<?> l) {
      List<?> items = l.stream().filter(o -> !(o instanceof Tree.Comment)).toList();
      sb.append('[');
      for (int i = 0; i < items.size(); i++) {
        sb.append(i == 0 ? "\n" : ",\n").append("\t".repeat(depth + 1));
        write(sb, items.get(i), depth + 1);
      }
      sb.append(items.isEmpty() ? "" : "\n" + "\t".repeat(depth)).append(']');
    } else if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean || v instanceof Long) {
      sb.append(v);
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        quote(sb, GoFormat.formatFloat(d));
      } else {
        sb.append(GoFormat.formatJsonFloat(d));
      }
    } else if (v instanceof byte[] bytes) {
      quote(sb, new String(bytes, StandardCharsets.UTF_8));
    } else if (v instanceof OffsetDateTime t) {
      quote(sb, GoFormat.rfc3339Nano(t));
    } else {
      quote(sb, v.toString());
    }
  }

  /** encoding/json's string escaping: short escapes, \\u00xx for other controls, HTML characters and U+2028/9. */
  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1)))) {
            if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
              sb.append(c);
            } else {
              sb.append("\\ufffd");
            }
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
