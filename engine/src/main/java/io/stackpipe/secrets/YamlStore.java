package io.stackpipe.secrets;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.StreamDataWriter;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.comments.CommentLine;
import org.snakeyaml.engine.v2.comments.CommentType;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * sops' YAML store on snakeyaml-engine's node API: several documents, key order, core-schema scalar types and comment
 * lines (which sops encrypts like values) are kept. Comments before a key or list item become {@link Tree.Comment}
 * entries before it; a comment at the end of a value's line becomes an inline comment, as in sops.
 */
final class YamlStore {
    private YamlStore() {
    }

    static List<Tree.Branch> parse(String content) {
        LoadSettings settings = LoadSettings.builder().setParseComments(true).setAllowDuplicateKeys(false)
                .setSchema(new CoreSchema()).setCodePointLimit(64 * 1024 * 1024).build();
        List<Tree.Branch> out = new ArrayList<>();
        for (Node doc : new Compose(settings).composeAllFromString(content)) {
            Tree.Branch b = new Tree.Branch();
            if (doc instanceof MappingNode m) {
                appendMapping(m, b);
            } else if (doc instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
                addComments(b, s.getBlockComments(), false);
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

    private static void appendMapping(MappingNode m, Tree.Branch b) {
        addComments(b, m.getBlockComments(), false);
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            Node v = t.getValueNode();
            addComments(b, k.getBlockComments(), false);
            addComments(b, k.getInLineComments(), true);
            boolean scalar = v instanceof ScalarNode;
            if (scalar) {
                addComments(b, v.getBlockComments(), false);
                addComments(b, v.getInLineComments(), true);
            }
            b.add(new Tree.Item(k instanceof ScalarNode ks ? ks.getValue() : String.valueOf(toValue(k)), toValue(v)));
            if (scalar) {
                addComments(b, v.getEndComments(), false);
            }
            addComments(b, k.getEndComments(), false);
        }
        addComments(b, m.getEndComments(), false);
    }

    private static Object toValue(Node n) {
        if (n instanceof MappingNode m) {
            Tree.Branch b = new Tree.Branch();
            appendMapping(m, b);
            return b;
        }
        if (n instanceof SequenceNode s) {
            List<Object> l = new ArrayList<>();
            addComments(l, s.getBlockComments(), false);
            for (Node item : s.getValue()) {
                addComments(l, item.getBlockComments(), false);
                addComments(l, item.getInLineComments(), true);
                l.add(toValue(item));
                if (item instanceof ScalarNode) {
                    addComments(l, item.getEndComments(), false);
                }
            }
            addComments(l, s.getEndComments(), false);
            return l;
        }
        return scalar((ScalarNode) n);
    }

    private static void addComments(Tree.Branch b, List<CommentLine> lines, boolean inline) {
        if (lines != null) {
            for (CommentLine c : lines) {
                if (c.getCommentType() != CommentType.BLANK_LINE) {
                    b.add(new Tree.Item(new Tree.Comment(c.getValue(), inline), null));
                }
            }
        }
    }

    private static void addComments(List<Object> l, List<CommentLine> lines, boolean inline) {
        if (lines != null) {
            for (CommentLine c : lines) {
                if (c.getCommentType() != CommentType.BLANK_LINE) {
                    l.add(new Tree.Comment(c.getValue(), inline));
                }
            }
        }
    }

    private static Object scalar(ScalarNode s) {
        String v = s.getValue();
        Tag tag = s.getTag();
        if (tag.equals(Tag.NULL)) {
            return null;
        }
        if (tag.equals(Tag.BOOL)) {
            return v.equalsIgnoreCase("true");
        }
        if (tag.equals(Tag.INT)) {
            return parseInt(v);
        }
        if (tag.equals(Tag.FLOAT)) {
            return parseFloat(v);
        }
        if (tag.getValue().equals(Tag.PREFIX + "timestamp")) {
            return GoFormat.parseTime(v);
        }
        if (tag.equals(Tag.BINARY)) {
            return new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8);
        }
        return v;
    }

    private static Object parseInt(String v) {
        String s = v.replace("_", "");
        boolean neg = s.startsWith("-");
        if (s.startsWith("-") || s.startsWith("+")) {
            s = s.substring(1);
        }
        int radix = 10;
        if (s.startsWith("0x")) {
            radix = 16;
            s = s.substring(2);
        } else if (s.startsWith("0o")) {
            radix = 8;
            s = s.substring(2);
        }
        try {
            long l = Long.parseLong(s, radix);
            return neg ? -l : l;
        } catch (NumberFormatException e) {
            return Double.parseDouble(v);
        }
    }

    private static Double parseFloat(String v) {
        String l = v.toLowerCase(java.util.Locale.ROOT);
        if (l.endsWith(".inf")) {
            return l.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (l.equals(".nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(v.replace("_", ""));
    }

    // ---- emitting

    private static DumpSettings dumpSettings() {
        return DumpSettings.builder().setDumpComments(true).setIndent(4).setIndicatorIndent(2)
                .setIndentWithIndicator(true).setDefaultFlowStyle(FlowStyle.BLOCK).setWidth(Integer.MAX_VALUE)
                .setSchema(new CoreSchema()).setSplitLines(false).build();
    }

    static String emit(List<Tree.Branch> branches) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < branches.size(); i++) {
            if (i > 0) {
                sb.append("---\n");
            }
            sb.append(dumpNode(mapping(branches.get(i))));
        }
        return sb.toString();
    }

    static String emitValue(Object value) {
        return dumpNode(node(value));
    }

    private static String dumpNode(Node n) {
        StringBuilder sb = new StringBuilder();
        new Dump(dumpSettings()).dumpNode(n, new StreamDataWriter() {
            @Override
            public void write(String str) {
                sb.append(str);
            }

            @Override
            public void write(String str, int off, int len) {
                sb.append(str, off, off + len);
            }
        });
        return sb.toString();
    }

    private static MappingNode mapping(Tree.Branch b) {
        List<NodeTuple> tuples = new ArrayList<>();
        List<CommentLine> head = new ArrayList<>();
        List<CommentLine> inline = new ArrayList<>();
        for (Tree.Item i : b) {
            if (i.key() instanceof Tree.Comment c) {
                (c.inline() ? inline : head).add(comment(c, c.inline()));
                continue;
            }
            Node k = str(i.key().toString());
            Node v = node(i.value());
            if (!head.isEmpty()) {
                k.setBlockComments(head);
                head = new ArrayList<>();
            }
            if (!inline.isEmpty()) {
                attachInline(v, inline);
                inline = new ArrayList<>();
            }
            tuples.add(new NodeTuple(k, v));
        }
        MappingNode m = new MappingNode(Tag.MAP, tuples, tuples.isEmpty() ? FlowStyle.FLOW : FlowStyle.BLOCK);
        head.addAll(inline);
        if (!head.isEmpty()) {
            m.setEndComments(asBlock(head));
        }
        return m;
    }

    private static SequenceNode sequence(List<?> l) {
        List<Node> items = new ArrayList<>();
        List<CommentLine> head = new ArrayList<>();
        List<CommentLine> inline = new ArrayList<>();
        for (Object o : l) {
            if (o instanceof Tree.Comment c) {
                (c.inline() ? inline : head).add(comment(c, c.inline()));
                continue;
            }
            Node n = node(o);
            if (!head.isEmpty()) {
                n.setBlockComments(head);
                head = new ArrayList<>();
            }
            if (!inline.isEmpty()) {
                attachInline(n, inline);
                inline = new ArrayList<>();
            }
            items.add(n);
        }
        SequenceNode s = new SequenceNode(Tag.SEQ, items, items.isEmpty() ? FlowStyle.FLOW : FlowStyle.BLOCK);
        head.addAll(inline);
        if (!head.isEmpty()) {
            s.setEndComments(asBlock(head));
        }
        return s;
    }

    /** snakeyaml only writes a line comment after a scalar: elsewhere it goes before the node. */
    private static void attachInline(Node n, List<CommentLine> inline) {
        if (n instanceof ScalarNode) {
            n.setInLineComments(inline.subList(0, 1));
            if (inline.size() > 1) {
                n.setEndComments(asBlock(inline.subList(1, inline.size())));
            }
        } else {
            List<CommentLine> block = new ArrayList<>(n.getBlockComments() == null ? List.of() : n.getBlockComments());
            block.addAll(asBlock(inline));
            n.setBlockComments(block);
        }
    }

    private static List<CommentLine> asBlock(List<CommentLine> lines) {
        return lines.stream().map(c -> new CommentLine(Optional.empty(), Optional.empty(), c.getValue(), CommentType.BLOCK))
                .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    }

    private static CommentLine comment(Tree.Comment c, boolean inline) {
        return new CommentLine(Optional.empty(), Optional.empty(), c.value(), inline ? CommentType.IN_LINE : CommentType.BLOCK);
    }

    private static Node node(Object v) {
        if (v instanceof Tree.Branch b) {
            return mapping(b);
        }
        if (v instanceof List<?> l) {
            return sequence(l);
        }
        if (v == null) {
            return new ScalarNode(Tag.NULL, "null", ScalarStyle.PLAIN);
        }
        if (v instanceof Boolean b) {
            return new ScalarNode(Tag.BOOL, b.toString(), ScalarStyle.PLAIN);
        }
        if (v instanceof Long || v instanceof Integer) {
            return new ScalarNode(Tag.INT, v.toString(), ScalarStyle.PLAIN);
        }
        if (v instanceof Double d) {
            String s = d.isNaN() ? ".nan" : d.isInfinite() ? (d > 0 ? ".inf" : "-.inf") : GoFormat.formatFloat(d);
            if (!s.contains(".") && !s.contains("e") && !s.contains("n") && !s.contains("N")) {
                s += ".0";
            }
            return new ScalarNode(Tag.FLOAT, s, ScalarStyle.PLAIN);
        }
        if (v instanceof byte[] bytes) {
            return str(new String(bytes, StandardCharsets.UTF_8));
        }
        if (v instanceof OffsetDateTime t) {
            return str(GoFormat.rfc3339Nano(t));
        }
        return str(v.toString());
    }

    private static final java.util.regex.Pattern TIMESTAMP =
            java.util.regex.Pattern.compile("^\\d{4}-\\d\\d?-\\d\\d?([Tt ].*)?$");

    private static ScalarNode str(String s) {
        boolean multiline = s.contains("\n") && !s.contains("\r") && !s.matches("(?s).*[ \t]\n.*");
        // quote what YAML 1.1 readers (and go-yaml) would take for a timestamp, as sops does
        ScalarStyle style = multiline ? ScalarStyle.LITERAL
                : TIMESTAMP.matcher(s).matches() ? ScalarStyle.DOUBLE_QUOTED : ScalarStyle.PLAIN;
        return new ScalarNode(Tag.STR, s, style);
    }
}
