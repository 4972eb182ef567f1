package io.stackpipe.kube;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A set-based label selector: {@code key in (a,b)}, {@code key notin (a)}, {@code key}, {@code !key}, and the
 * equality forms {@code key=value} / {@code key!=value}, all ANDed. Immutable; {@link #toString()} renders the
 * same syntax {@code kubectl -l} takes.
 */
public record Selector(List<Requirement> requirements) {

  public enum Operator { IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

  public record Requirement(String key, Operator operator, List<String> values) {
    public Requirement {
      values = List.copyOf(values);
    }

    @Override
    public String toString() {
      return switch (operator) {
        case IN -> key + " in (" + String.join(",", values) + ")";
        case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
        case EXISTS -> key;
        case DOES_NOT_EXIST -> "!" + key;
      };
    }
  }

  private static final String KEY =
      "[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?(?:/[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
  private static final Pattern SET = Pattern.compile("\\s*(" + KEY + ")\\s+(in|notin)\\s*\\(([^)]*)\\)\\s*");
  private static final Pattern EQUALITY = Pattern.compile("\\s*(" + KEY + ")\\s*(==|=|!=)\\s*([^,\\s]*)\\s*");
  private static final Pattern EXISTENCE = Pattern.compile("\\s*(!?)\\s*(" + KEY + ")\\s*");

  public Selector {
    requirements = List.copyOf(requirements);
  }

  public static Selector all() {
    return new Selector(List.of());
  }

  public Selector in(String key, String... values) {
    return with(new Requirement(key, Operator.IN, List.of(values)));
  }

  public Selector notIn(String key, String... values) {
    return with(new Requirement(key, Operator.NOT_IN, List.of(values)));
  }

  public Selector exists(String key) {
    return with(new Requirement(key, Operator.EXISTS, List.of()));
  }

  public Selector doesNotExist(String key) {
    return with(new Requirement(key, Operator.DOES_NOT_EXIST, List.of()));
  }

  private Selector with(Requirement requirement) {
    List<Requirement> all = new ArrayList<>(requirements);
    all.add(requirement);
    return new Selector(all);
  }

  /** Parses kubectl's selector syntax; a malformed term is reported by position and text. */
  public static Selector parse(String text) {
    Selector selector = all();
    for (String term : splitTerms(text)) {
      Matcher m;
      if ((m = SET.matcher(term)).matches()) {
        List<String> values = List.of(m.group(3).split(",", -1)).stream().map(String::trim).toList();
        if (values.stream().anyMatch(String::isEmpty)) {
          throw new IllegalArgumentException("label selector \"" + text + "\": empty value in \"" + term.trim() + "\"");
        }
        selector = selector.with(new Requirement(m.group(1),
            m.group(2).equals("in") ? Operator.IN : Operator.NOT_IN, values));
      } else if ((m = EQUALITY.matcher(term)).matches()) {
        selector = selector.with(new Requirement(m.group(1),
            m.group(2).equals("!=") ? Operator.NOT_IN : Operator.IN, List.of(m.group(3))));
      } else if ((m = EXISTENCE.matcher(term)).matches()) {
        selector = m.group(1).isEmpty() ? selector.exists(m.group(2)) : selector.doesNotExist(m.group(2));
      } else {
        throw new IllegalArgumentException("label selector \"" + text + "\": cannot parse \"" + term.trim()
            + "\" (expected key, !key, key=value, key!=value, key in (a,b) or key notin (a,b))");
      }
    }
    return selector;
  }

  /** Splits on commas outside parentheses. */
  private static List<String> splitTerms(String text) {
    List<String> terms = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        terms.add(text.substring(start, i));
        start = i + 1;
      }
    }
    String last = text.substring(start);
    if (!last.isBlank() || !terms.isEmpty()) {
      terms.add(last);
    }
    return terms;
  }

  /** The API form: every requirement as a match expression (the server ANDs them). */
  public LabelSelector toLabelSelector() {
    return new LabelSelectorBuilder().withMatchExpressions(requirements.stream()
        .map(r -> new LabelSelectorRequirement(r.key(), switch (r.operator()) {
          case IN -> "In";
          case NOT_IN -> "NotIn";
          case EXISTS -> "Exists";
          case DOES_NOT_EXIST -> "DoesNotExist";
        }, r.values())).toList()).build();
  }

  @Override
  public String toString() {
    return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
  }
}
