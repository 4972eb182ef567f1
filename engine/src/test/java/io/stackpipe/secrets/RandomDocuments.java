package io.stackpipe.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random YAML and JSON documents of the kind people keep in sops files: nested maps and lists, every scalar
 * type (special floats, exponents, big integers, timestamps, strings that look like other types), multi-line block
 * strings, unicode (CJK, RTL, emoji and other non-BMP characters), empty collections and strings, comments, anchors.
 * The same seed always gives the same document.
 */
final class RandomDocuments {
  private static final String[] KEYS = {"name", "password", "token", "secret_key", "list", "db", "host", "port", "ratio",
      "enabled", "data", "note", "value", "x", "y", "api", "user", "items", "config", "when", "a_clear", "b_clear",
      "pass_secret", "nested", "日本語", "ключ", "emoji_😀", "with space", "CamelCase", "dash-key", "dot.key"};
  private static final String[] PLAIN_INTS = {"0", "7", "-5", "42", "123456789", "-9223372036854775808",
      "9223372036854775807", "0x1F", "0o17", "017", "0b101", "1_000", "+12"};
  private static final String[] PLAIN_FLOATS = {"1.5", "-0.25", "0.0", "-0.0", "1e10", "2.5e-7", "1E+3", "6.02e23",
      ".5", "5.", "1.0", "3.14159265358979", "123456789012345678901234567890", "1e400", ".inf", "-.inf", "+.inf",
      ".Inf", "-.INF", ".nan", ".NaN", "0.1", "100000000000000000000", "1.7976931348623157e308", "4.9e-324"};
  private static final String[] PLAIN_OTHER = {"true", "false", "True", "FALSE", "null", "~", "Null", "yes", "no",
      "on", "off", "y", "n", "2024-01-02", "2024-01-02T03:04:05Z", "2001-12-14t21:59:43.10-05:00",
      "2001-12-14 21:59:43.10 -5", "2024-13-45", "12:30:00", "1:20", "hello", "hello world", "a-b_c.d", "v1.2.3",
      "http://example.com/path?q=1", "user@example.com", "CamelCase", "über", "日本語テキスト", "مرحبا بالعالم",
      "שלום עולם", "emoji 😀🎉", "𝄞 music", "a😀b", "Ελληνικά", "नमस्ते", "x=1,y=2", "<<", "--", "?x", "1a",
      "0777", "+", "-1-", "1.2.3", "0x", "1e", "e3", ".", "..."};
  private static final String[] QUOTED = {"", " ", "  leading", "trailing  ", "123", "1.5", "true", "null", "~", "yes",
      "0x1F", "1e3", ".inf", "2024-01-02", "a: b", "a #b", "#hash", "- dash", "[bracket", "{brace", "'single'",
      "\"double\"", "back\\slash", "tab\there", "*star", "&amp", "!bang", "%pct", "@at", "`tick", "|pipe", ">gt",
      "key:", "with: colon", "::", "日本", "😀", "\u00a0nbsp", "zero\u200bwidth", "rtl\u200fmark", "bell\u0007",
      "nel\u0085x", "ls\u2028x", "bom\ufeffx", "del\u007fx", "esc\u001bx", "---", "...x", "x\r"};
  private static final String[] BLOCK_LINES = {"line one", "  indented line", "", "last line", "日本語の行",
      "emoji 😀 line", "key: value", "# not a comment", "trailing space ", "\ttab start", "- item"};

  private final Random random;
  private final StringBuilder out = new StringBuilder();

  private RandomDocuments(long seed) {
    this.random = new Random(seed);
  }

  /** A YAML document (sometimes several, separated by ---). */
  static String yaml(long seed) {
    RandomDocuments g = new RandomDocuments(seed);
    int docs = g.random.nextInt(8) == 0 ? 2 : 1;
    for (int d = 0; d < docs; d++) {
      if (d > 0) {
        g.out.append("---\n");
      }
      if (g.random.nextInt(3) == 0) {
        g.out.append("# comment ").append(g.word()).append('\n');
      }
      int step = g.random.nextBoolean() ? 2 : 4;
      g.yamlMap(0, 4, step, true);
      if (g.random.nextInt(5) == 0) {
        String pad = " ".repeat(step);
        g.out.append("anchored: &a").append(d).append('\n').append(pad).append("k1: v\n").append(pad).append("k2: 2\n")
            .append("alias_copy: *a").append(d).append('\n')
            .append("merged:\n").append(pad).append("<<: *a").append(d).append('\n').append(pad).append("extra: x\n")
            .append("scalar_anchor: &s").append(d).append(" shared-value\n")
            .append("scalar_alias: *s").append(d).append('\n');
      }
    }
    return g.out.toString();
  }

  /** A JSON object. */
  static String json(long seed) {
    RandomDocuments g = new RandomDocuments(seed);
    g.jsonValue(0, 4, true);
    return g.out.append('\n').toString();
  }

  private String word() {
    return List.of("alpha", "beta", "gamma", "delta", "sops:enc", "todo", "日本", "😀").get(random.nextInt(8));
  }

  private List<String> keys(int n) {
    List<String> keys = new ArrayList<>();
    while (keys.size() < n) {
      String k = KEYS[random.nextInt(KEYS.length)];
      if (random.nextInt(3) == 0) {
        k = k + "_" + random.nextInt(10);
      }
      if (!keys.contains(k)) {
        keys.add(k);
      }
    }
    return keys;
  }

  private static String yamlKey(String k) {
    return k.contains(" ") || k.contains("😀") ? "\"" + k + "\"" : k;
  }

  private void yamlMap(int indent, int depth, int step, boolean top) {
    int n = top ? 1 + random.nextInt(6) : 1 + random.nextInt(4);
    String pad = " ".repeat(indent);
    for (String k : keys(n)) {
      if (random.nextInt(6) == 0) {
        out.append(pad).append("# ").append(word()).append('\n');
      }
      out.append(pad).append(yamlKey(k)).append(':');
      yamlValue(indent, depth - 1, step);
    }
  }

  /** A value after "key:" (the line is open). */
  private void yamlValue(int indent, int depth, int step) {
    int kind = random.nextInt(depth > 0 ? 14 : 9);
    String pad = " ".repeat(indent + step);
    switch (kind) {
      case 0, 1, 2, 3, 4 -> {
        out.append(' ').append(scalar());
        if (random.nextInt(8) == 0) {
          out.append(" # ").append(word());
        }
        out.append('\n');
      }
      case 5 -> out.append(' ').append(random.nextBoolean() ? "{}" : "[]").append('\n');
      case 6, 7 -> block(indent + step);
      case 8 -> out.append(' ').append(flowList()).append('\n');
      case 9, 10 -> {
        out.append('\n');
        yamlMap(indent + step, depth, step, false);
      }
      default -> {
        out.append('\n');
        int items = 1 + random.nextInt(4);
        String dashPad = random.nextBoolean() ? pad : " ".repeat(indent);
        for (int i = 0; i < items; i++) {
          if (random.nextInt(4) == 0 && depth > 1) {
            out.append(dashPad).append("- ");
            String k = keys(1).get(0);
            out.append(yamlKey(k)).append(": ").append(scalar()).append('\n');
            out.append(dashPad).append("  ").append(yamlKey(k + "_b")).append(": ").append(scalar()).append('\n');
          } else {
            out.append(dashPad).append("- ").append(scalar()).append('\n');
          }
        }
      }
    }
  }

  private void block(int indent) {
    String style = List.of("|", "|-", "|+", ">", ">-").get(random.nextInt(5));
    out.append(' ').append(style).append('\n');
    int lines = 1 + random.nextInt(4);
    for (int i = 0; i < lines; i++) {
      String line = BLOCK_LINES[random.nextInt(BLOCK_LINES.length)];
      if (i == 0 && (line.startsWith(" ") || line.startsWith("\t") || line.isEmpty())) {
        line = "first";
      }
      out.append(line.isEmpty() ? "" : " ".repeat(indent) + line).append('\n');
    }
  }

  private String flowList() {
    StringBuilder sb = new StringBuilder("[");
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      sb.append(i > 0 ? ", " : "").append(List.of("1", "two", "3.5", "true", "null", "\"q\"", "'s'").get(random.nextInt(7)));
    }
    return sb.append(']').toString();
  }

  private String scalar() {
    return switch (random.nextInt(6)) {
      case 0 -> PLAIN_INTS[random.nextInt(PLAIN_INTS.length)];
      case 1 -> PLAIN_FLOATS[random.nextInt(PLAIN_FLOATS.length)];
      case 2, 3 -> PLAIN_OTHER[random.nextInt(PLAIN_OTHER.length)];
      default -> {
        String q = QUOTED[random.nextInt(QUOTED.length)];
        // U+2028/U+2029 in YAML: go-yaml writes them raw in single quotes followed by indentation that depends on
        // libyaml's emitter state; not reproduced (see docs/secrets.md), so only JSON documents carry them
        yield quoted((q.contains("\u2028") ? "ls x" : q) + (random.nextInt(4) == 0 ? longTail() : ""));
      }
    };
  }

  private String longTail() {
    return " and some more words to make this value longer than eighty columns so that line folding would matter here";
  }

  private String quoted(String s) {
    if (random.nextBoolean() && s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0x85 && c != 0xfeff
        && c != 0x2028 && c != 0x200b && c != 0x200f)) {
      return "'" + s.replace("'", "''") + "'";
    }
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(c -> {
      if (c == '"' || c == '\\') {
        sb.append('\\').appendCodePoint(c);
      } else if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0xfeff || c == 0x2028) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.append('"').toString();
  }

  private void jsonValue(int indent, int depth, boolean top) {
    int kind = top ? 9 : random.nextInt(depth > 0 ? 11 : 8);
    switch (kind) {
      case 0, 1 -> out.append(List.of("0", "-7", "42", "1234567890123", "9223372036854775807", "12345678901234567890",
          "-0", "100000000000000000000000").get(random.nextInt(8)));
      case 2, 3 -> out.append(List.of("1.5", "-0.25", "2.5e-7", "1E10", "6.02e+23", "0.1", "1e-10", "123.456e5",
          "5e-324", "1.7976931348623157e308", "0.000001", "1e21", "1e20", "-1.0", "3.0").get(random.nextInt(15)));
      case 4 -> out.append(List.of("true", "false", "null").get(random.nextInt(3)));
      case 5, 6, 7 -> {
        String s = random.nextBoolean() ? QUOTED[random.nextInt(QUOTED.length)] : PLAIN_OTHER[random.nextInt(PLAIN_OTHER.length)];
        out.append(jsonString(s + (random.nextInt(5) == 0 ? "\nsecond line" : "")));
      }
      case 8 -> {
        out.append('[');
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i > 0 ? ", " : "");
          jsonValue(indent, depth - 1, false);
        }
        out.append(']');
      }
      default -> {
        out.append('{');
        List<String> keys = keys(top ? 1 + random.nextInt(6) : random.nextInt(4));
        for (int i = 0; i < keys.size(); i++) {
          out.append(i > 0 ? ",\n" : "\n").append(" ".repeat(indent + 2)).append(jsonString(keys.get(i))).append(": ");
          jsonValue(indent + 2, depth - 1, false);
        }
        out.append(keys.isEmpty() ? "}" : "\n" + " ".repeat(indent) + "}");
      }
    }
  }

  private static String jsonString(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(c -> {
      if (c == '"' || c == '\\') {
        sb.append('\\').appendCodePoint(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.append('"').toString();
  }
}
