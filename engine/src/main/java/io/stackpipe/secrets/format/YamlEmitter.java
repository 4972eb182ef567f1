package io.stackpipe.secrets.format;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the tree in the layout sops' YAML store (go-yaml v3, indent 4) produces, so {@code decrypt} prints what
 * {@code sops -d} prints: 4-space mappings, sequences indented under their key, mappings in list items continued
 * two columns after the dash, literal blocks for multi-line strings, and go-yaml's quoting rules (double quotes for
 * strings that would read back as another type, single quotes where plain text is not allowed).
 */
final class YamlEmitter {
  private static final int INDENT = 4;
  private static final Set<String> OLD_BOOLS = Set.of("y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
      "on", "On", "ON", "off", "Off", "OFF");
  private static final Pattern BASE60 = Pattern.compile("[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");

  private final StringBuilder out = new StringBuilder();

  private YamlEmitter() {
  }

  static String emit(List<Tree.Branch> docs) {
    YamlEmitter e = new YamlEmitter();
    for (int i = 0; i < docs.size(); i++) {
      if (i > 0) {
        e.out.append("---\n");
      }
      Tree.Branch b = docs.get(i);
      if (b.stream().noneMatch(it -> it.key() instanceof String)) {
        e.comments(b.stream().map(it -> (Tree.Comment) it.key()).toList(), 0);
        e.out.append("{}\n");
      } else {
        e.mapping(b, 0, 0, false);
      }
    }
    return e.out.toString();
  }

  static String emitValue(Object v) {
    YamlEmitter e = new YamlEmitter();
    if (v instanceof Tree.Branch b && b.stream().anyMatch(it -> it.key() instanceof String)) {
      e.mapping(b, 0, 0, false);
    } else if (v instanceof Tree.Branch) {
      e.out.append("{}\n");
    } else if (v instanceof List<?> l && l.stream().allMatch(o -> o instanceof Tree.Comment)) {
      e.out.append("[]\n");
    } else if (v instanceof List<?> l) {
      e.sequence(l, 0);
    } else {
      e.out.append(e.scalar(v, 0)).append('\n');
    }
    return e.out.toString();
  }

  private void comments(List<Tree.Comment> cs, int col) {
    for (Tree.Comment c : cs) {
      out.append(" ".repeat(col)).append('#').append(c.value()).append('\n');
    }
  }

  /**
   * @param indent   the mapping's logical indent (children go to indent + 4)
   * @param firstCol column of the first key, when it follows a "- " on the current line
   */
  private void mapping(Tree.Branch b, int indent, int firstCol, boolean afterDash) {
    int keyCol = afterDash ? firstCol : indent;
    List<Tree.Comment> head = new ArrayList<>();
    boolean first = true;
    for (Tree.Item it : b) {
      if (it.key() instanceof Tree.Comment c) {
        head.add(c);
        continue;
      }
      if (!(first && afterDash)) {
        comments(head, keyCol);
        out.append(" ".repeat(keyCol));
      } else if (!head.isEmpty()) {
        // a comment before the first key of a list item goes before the dash in go-yaml; keep it close
        comments(head, keyCol);
        out.append(" ".repeat(keyCol));
      }
      head.clear();
      first = false;
      String key = it.key().toString();
      // go-yaml writes the merge key with its explicit tag
      out.append(key.equals("<<") ? "!!merge <<" : scalar(key, keyCol)).append(':');
      value(it.value(), afterDash ? keyCol - 2 : indent);
    }
    comments(head, keyCol);
  }

  /** Writes a mapping value after "key:", ending the line. */
  private void value(Object v, int indent) {
    if (v instanceof Tree.Branch b && b.stream().anyMatch(it -> it.key() instanceof String)) {
      out.append('\n');
      mapping(b, indent + INDENT, 0, false);
    } else if (v instanceof List<?> l && l.stream().anyMatch(o -> !(o instanceof Tree.Comment))) {
      out.append('\n');
      sequence(l, indent + INDENT);
    } else {
      String s = v instanceof Tree.Branch ? "{}" : v instanceof List<?> ? "[]" : scalar(v, indent + INDENT);
      out.append(' ').append(s);
      if (!s.endsWith("\n")) {
        out.append('\n');
      }
    }
  }

  private void sequence(List<?> l, int col) {
    sequence(l, col, false);
  }

  /** @param onDashLine the first item continues a line that already holds its parent's "- " */
  private void sequence(List<?> l, int col, boolean onDashLine) {
    List<Tree.Comment> head = new ArrayList<>();
    boolean first = true;
    for (Object o : l) {
      if (o instanceof Tree.Comment c) {
        head.add(c);
        continue;
      }
      if (!(first && onDashLine)) {
        comments(head, col);
        out.append(" ".repeat(col));
      }
      head.clear();
      first = false;
      out.append("- ");
      if (o instanceof Tree.Branch b && b.stream().anyMatch(it -> it.key() instanceof String)) {
        mapping(b, col, col + 2, true);
      } else if (o instanceof List<?> inner && inner.stream().anyMatch(x -> !(x instanceof Tree.Comment))) {
        sequence(inner, col + 2, true);
      } else {
        String s = o instanceof Tree.Branch ? "{}" : o instanceof List<?> ? "[]" : scalar(o, col + INDENT);
        out.append(s);
        if (!s.endsWith("\n")) {
          out.append('\n');
        }
      }
    }
    comments(head, col);
  }

  /** A scalar as go-yaml writes it; literal blocks end with their own newline. */
  private String scalar(Object v, int blockIndent) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Boolean b) {
      return b.toString();
    }
    if (v instanceof Long || v instanceof Integer) {
      return v.toString();
    }
    if (v instanceof Double d) {
      return GoFormat.formatFloatG(d);
    }
    if (v instanceof OffsetDateTime t) {
      return GoFormat.rfc3339Nano(t);
    }
    String s = v instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : v.toString();
    if (s.equals("<<")) {
      // go-yaml resolves "<<" to the merge tag and writes it with the tag
      return "!!merge <<";
    }
    if (s.contains("\n")) {
      return literal(s, blockIndent);
    }
    if (s.contains("\t") || !printable(s)) {
      return doubleQuoted(s);
    }
    if (s.chars().anyMatch(c -> c == 0x2028 || c == 0x2029)) {
      // libyaml's other line breaks: no plain scalar, quoted as they are
      return "'" + s.replace("'", "''") + "'";
    }
    if (resolvesToOtherType(s)) {
      return doubleQuoted(s);
    }
    if (plainAllowed(s)) {
      return s;
    }
    return printable(s) ? "'" + s.replace("'", "''") + "'" : doubleQuoted(s);
  }

  private String literal(String s, int indent) {
    String body = s;
    String chomp;
    if (!s.endsWith("\n")) {
      chomp = "-";
    } else if (s.endsWith("\n\n")) {
      chomp = "+";
    } else {
      chomp = "";
    }
    // libyaml's block_allowed: no special characters (tabs are allowed), no space before a break, no trailing space
    if (s.startsWith(" ") || s.startsWith("\n") || !printable(s.replace("\t", " ")) || s.contains("\r")
        || s.contains(" \n") || s.endsWith(" ")) {
      return doubleQuoted(s);
    }
    if (body.endsWith("\n")) {
      body = body.substring(0, body.length() - 1);
    }
    StringBuilder sb = new StringBuilder("|").append(chomp).append('\n');
    for (String line : body.split("\n", -1)) {
      if (!line.isEmpty()) {
        sb.append(" ".repeat(indent)).append(line);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** go-yaml's test for a plain string: it would resolve to another type, or is a YAML 1.1 bool or base-60 float. */
  static boolean resolvesToOtherType(String s) {
    return OLD_BOOLS.contains(s) || BASE60.matcher(s).matches() || !(YamlStore.resolvePlain(s) instanceof String);
  }

  /** libyaml's analysis of a block plain scalar, for the characters that occur in configuration values. */
  static boolean plainAllowed(String s) {
    if (s.startsWith("---") || s.startsWith("...")) {
      return false;
    }
    if (s.startsWith(" ") || s.endsWith(" ") || s.contains("\t") || !printable(s)) {
      return false;
    }
    char c = s.charAt(0);
    if ("#,[]{}&*!|>'\"%@`".indexOf(c) >= 0) {
      return false;
    }
    if ((c == '-' || c == '?' || c == ':') && (s.length() == 1 || s.charAt(1) == ' ')) {
      return false;
    }
    return !(s.contains(": ") || s.endsWith(":") || s.contains(" #"));
  }

  /** libyaml's is_printable: no control characters, NEL, BOM, non-characters, surrogates or characters beyond the BMP. */
  private static boolean printable(String s) {
    return s.codePoints().allMatch(YamlEmitter::printable);
  }

  private static boolean printable(int cp) {
    return cp == '\n' || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff)
        || (cp >= 0xe000 && cp <= 0xfffd && cp != 0xfeff);
  }

  /** libyaml's double-quoted writer: its short escapes, else \\xXX, \\uXXXX or \\UXXXXXXXX. */
  private static String doubleQuoted(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(cp -> {
      boolean escape = !printable(cp) || cp == 0xfeff || cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028
          || cp == 0x2029 || cp == '"' || cp == '\\';
      if (!escape) {
        sb.appendCodePoint(cp);
        return;
      }
      String shortForm = switch (cp) {
        case 0 -> "0";
        case 0x07 -> "a";
        case 0x08 -> "b";
        case 0x09 -> "t";
        case 0x0a -> "n";
        case 0x0b -> "v";
        case 0x0c -> "f";
        case 0x0d -> "r";
        case 0x1b -> "e";
        case '"' -> "\"";
        case '\\' -> "\\";
        case 0x85 -> "N";
        case 0xa0 -> "_";
        case 0x2028 -> "L";
        case 0x2029 -> "P";
        default -> null;
      };
      sb.append('\\').append(shortForm != null ? shortForm
          : cp <= 0xff ? String.format("x%02X", cp) : cp <= 0xffff ? String.format("u%04X", cp) : String.format("U%08X", cp));
    });
    return sb.append('"').toString();
  }
}
