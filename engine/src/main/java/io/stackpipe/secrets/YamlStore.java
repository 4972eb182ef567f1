package io.stackpipe.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.comments.CommentLine;
import org.snakeyaml.engine.v2.comments.CommentType;
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

    // ---- emitting: go-yaml's layout, see YamlEmitter

    static String emit(List<Tree.Branch> branches) {
        return YamlEmitter.emit(branches);
    }

    static String emitValue(Object value) {
        return YamlEmitter.emitValue(value);
    }
}
