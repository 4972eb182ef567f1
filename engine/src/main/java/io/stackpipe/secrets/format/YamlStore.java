package io.stackpipe.secrets.format;

import io.stackpipe.secrets.core.SecretsException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.time.OffsetDateTime;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.comments.CommentLine;
import org.snakeyaml.engine.v2.comments.CommentType;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * sops' YAML store on snakeyaml-engine's node API: several documents, key order, scalar types as go-yaml v3 resolves
 * them, and comment lines (which sops encrypts like values) are kept; merge keys stay plain "<<" keys as in sops. Comments before a key or list item become {@link Tree.Comment}
 * entries before it; a comment at the end of a line becomes a line of its own before its entry, as in sops.
 */
final class YamlStore {
  private YamlStore() {
  }

  /** A composer that keeps "<<" as an ordinary key: sops (go-yaml nodes) does not apply merge keys. */
  private static final class NoMergeComposer extends Composer {
    NoMergeComposer(LoadSettings settings, String content) {
      super(settings, new ParserImpl(settings, new StreamReader(settings, content)));
    }

    @Override
    protected void composeMappingChildren(List<NodeTuple> children, MappingNode node) {
      Node key = composeKeyNode(node);
      children.add(new NodeTuple(key, composeValueNode(node)));
    }
  }

  static List<Tree.Branch> parse(String content) {
    LoadSettings settings = LoadSettings.builder().setParseComments(true).setAllowDuplicateKeys(false)
        .setSchema(new CoreSchema()).setCodePointLimit(64 * 1024 * 1024).build();
    List<Tree.Branch> out = new ArrayList<>();
    for (Iterator<Node> docs = new NoMergeComposer(settings, content); docs.hasNext(); ) {
      Node doc = docs.next();
      commentsAfterNestedMappings(doc);
      Tree.Branch b = new Tree.Branch();
      if (doc instanceof MappingNode m) {
        appendMapping(m, b);
      } else if (doc instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
        addComments(b, s.getBlockComments());
      } else {
        throw new SecretsException("YAML documents that are " + (doc instanceof SequenceNode ? "sequences" : "values")
            + " are not supported: a sops document is a mapping");
      }
      out.add(b);
    }
    if (out.isEmpty()) {
      out.add(new Tree.Branch());
    }
    return out;
  }

  /**
   * go-yaml's placement of the comment lines between a mapping's last entry and a key further out: from the first
   * line at that key's column they are its head comments, the lines before stay after the last entry (a foot comment
   * of the inner mapping). snakeyaml splits them by its own rules: a block scalar takes every indented line after it,
   * the next key the rest.
   */
  private static void commentsAfterNestedMappings(Node doc) {
    List<NodeTuple> entries = new ArrayList<>();
    collectEntries(doc, entries, Collections.newSetFromMap(new IdentityHashMap<>()));
    for (int i = 0; i + 1 < entries.size(); i++) {
      Node next = entries.get(i + 1) == null ? null : entries.get(i + 1).getKeyNode();
      if (entries.get(i) == null || !(entries.get(i).getValueNode() instanceof ScalarNode v) || next == null
          || column(entries.get(i).getKeyNode()) <= column(next)) {
        continue;
      }
      int keyLine = line(entries.get(i).getKeyNode());
      List<CommentLine> same = new ArrayList<>();
      List<CommentLine> between = new ArrayList<>();
      for (CommentLine c : v.getInLineComments() == null ? List.<CommentLine>of() : v.getInLineComments()) {
        (c.getStartMark().map(mark -> mark.getLine()).orElse(-1) > keyLine ? between : same).add(c);
      }
      if (next.getBlockComments() != null) {
        between.addAll(next.getBlockComments());
      }
      int head = 0;
      while (head < between.size() && (between.get(head).getCommentType() == CommentType.BLANK_LINE
          || between.get(head).getStartMark().map(mark -> mark.getColumn()).orElse(-1) != column(next))) {
        head++;
      }
      same.addAll(between.subList(0, head));
      v.setInLineComments(same);
      next.setBlockComments(new ArrayList<>(between.subList(head, between.size())));
    }
  }

  /** Mapping entries in document order; null marks a sequence item, which no comment moves to. */
  private static void collectEntries(Node n, List<NodeTuple> entries, Set<Node> seen) {
    if (!seen.add(n)) {
      return;
    }
    if (n instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        entries.add(t);
        collectEntries(t.getValueNode(), entries, seen);
      }
    } else if (n instanceof SequenceNode s) {
      for (Node item : s.getValue()) {
        entries.add(null);
        collectEntries(item, entries, seen);
      }
    }
  }

  private static int line(Node n) {
    return n.getStartMark().map(mark -> mark.getLine()).orElse(-1);
  }

  private static int column(Node n) {
    return n.getStartMark().map(mark -> mark.getColumn()).orElse(-1);
  }

  private static void appendMapping(MappingNode m, Tree.Branch b) {
    addComments(b, m.getBlockComments());
    for (NodeTuple t : m.getValue()) {
      Node k = t.getKeyNode();
      Node v = t.getValueNode();
      addComments(b, k.getBlockComments());
      addComments(b, k.getInLineComments());
      boolean scalar = v instanceof ScalarNode;
      List<CommentLine> later = List.of();
      if (scalar) {
        addComments(b, v.getBlockComments());
        // snakeyaml gives a block scalar the comment at the end of the line after it: that one follows the entry
        int keyLine = k.getStartMark().map(mark -> mark.getLine()).orElse(-1);
        List<CommentLine> inline = v.getInLineComments() == null ? List.of() : v.getInLineComments();
        addComments(b, inline.stream().filter(c -> c.getStartMark().map(mark -> mark.getLine()).orElse(-1) <= keyLine).toList());
        later = inline.stream().filter(c -> c.getStartMark().map(mark -> mark.getLine()).orElse(-1) > keyLine).toList();
      }
      b.add(new Tree.Item(k instanceof ScalarNode ks ? ks.getValue() : String.valueOf(toValue(k)), toValue(v)));
      addComments(b, later);
      if (scalar) {
        addComments(b, v.getEndComments());
      }
      addComments(b, k.getEndComments());
    }
    addComments(b, m.getEndComments());
  }

  private static Object toValue(Node n) {
    if (n instanceof MappingNode m) {
      Tree.Branch b = new Tree.Branch();
      appendMapping(m, b);
      return b;
    }
    if (n instanceof SequenceNode s) {
      List<Object> l = new ArrayList<>();
      addComments(l, s.getBlockComments());
      for (Node item : s.getValue()) {
        addComments(l, item.getBlockComments());
        addComments(l, item.getInLineComments());
        l.add(toValue(item));
        if (item instanceof ScalarNode) {
          addComments(l, item.getEndComments());
        }
      }
      addComments(l, s.getEndComments());
      return l;
    }
    return scalar((ScalarNode) n);
  }

  private static void addComments(Tree.Branch b, List<CommentLine> lines) {
    if (lines != null) {
      for (CommentLine c : lines) {
        if (c.getCommentType() != CommentType.BLANK_LINE) {
          b.add(new Tree.Item(new Tree.Comment(c.getValue()), null));
        }
      }
    }
  }

  private static void addComments(List<Object> l, List<CommentLine> lines) {
    if (lines != null) {
      for (CommentLine c : lines) {
        if (c.getCommentType() != CommentType.BLANK_LINE) {
          l.add(new Tree.Comment(c.getValue()));
        }
      }
    }
  }

  private static final Set<Tag> IMPLICIT = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL);
  private static final Pattern GO_FLOAT = Pattern.compile("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");

  private static Object scalar(ScalarNode s) {
    String v = s.getValue();
    Tag tag = s.getTag();
    if (s.getScalarStyle() == ScalarStyle.PLAIN && IMPLICIT.contains(tag)) {
      return resolvePlain(v);
    }
    if (tag.equals(Tag.NULL)) {
      return null;
    }
    if (tag.equals(Tag.BOOL)) {
      return v.equalsIgnoreCase("true");
    }
    if (tag.equals(Tag.INT)) {
      Object o = resolvePlain(v);
      return o instanceof Long ? o : v;
    }
    if (tag.equals(Tag.FLOAT)) {
      Object o = resolvePlain(v);
      return o instanceof Long l ? (Object) l.doubleValue() : o instanceof Double ? o : v;
    }
    if (tag.getValue().equals(Tag.PREFIX + "timestamp")) {
      return GoFormat.parseTime(v);
    }
    if (tag.equals(Tag.BINARY)) {
      return new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8);
    }
    return v;
  }

  /**
   * go-yaml v3's resolution of a plain scalar as sops reads it: null, bool, timestamp (go-yaml's four layouts), int
   * (Go base-0 syntax: 0x, 0o, 0b, leading-0 octal, underscores), float (not when it overflows), else a string.
   */
  static Object resolvePlain(String v) {
    switch (v) {
      case "", "~", "null", "Null", "NULL":
        return null;
      case "true", "True", "TRUE":
        return true;
      case "false", "False", "FALSE":
        return false;
      case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
        return Double.POSITIVE_INFINITY;
      case "-.inf", "-.Inf", "-.INF":
        return Double.NEGATIVE_INFINITY;
      case ".nan", ".NaN", ".NAN":
        return Double.NaN;
      default:
        break;
    }
    char c = v.charAt(0);
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')) {
      return v;
    }
    OffsetDateTime t = GoFormat.parseYamlTimestamp(v);
    if (t != null) {
      return t;
    }
    String plain = v.replace("_", "");
    Long l = goParseInt(plain);
    if (l != null) {
      return l;
    }
    if (GO_FLOAT.matcher(plain).matches()) {
      double d = Double.parseDouble(plain);
      // strconv.ParseFloat fails on overflow, and go-yaml then keeps the text as a string
      return Double.isInfinite(d) ? v : d;
    }
    return v;
  }

  /** strconv.ParseInt(s, 0, 64), or null. */
  private static Long goParseInt(String s) {
    boolean neg = false;
    String d = s;
    if (d.startsWith("-") || d.startsWith("+")) {
      neg = d.charAt(0) == '-';
      d = d.substring(1);
    }
    int radix = 10;
    String lower = d.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("0x")) {
      radix = 16;
      d = d.substring(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      d = d.substring(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      d = d.substring(2);
    } else if (d.length() > 1 && d.startsWith("0")) {
      radix = 8;
      d = d.substring(1);
    }
    if (d.isEmpty() || d.startsWith("-") || d.startsWith("+")) {
      return null;
    }
    try {
      return new java.math.BigInteger(neg ? "-" + d : d, radix).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  // ---- emitting: go-yaml's layout, see YamlEmitter

  static String emit(List<Tree.Branch> branches) {
    return YamlEmitter.emit(branches);
  }

  static String emitValue(Object value) {
    return YamlEmitter.emitValue(value);
  }
}
