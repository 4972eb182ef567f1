package io.stackpipe.stack.policy;

import io.stackpipe.StackpipeException;
import io.stackpipe.stack.Durations;
import io.stackpipe.yaml.SafeYaml;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A stack policy file, as code in a config repository:
 * <pre>
 * stacks:
 *   - match: prod                # a stack name, or a pattern such as pr-*
 *     profiles: [prod]
 *     windows:
 *       - days: mon-fri          # or [mon, wed, fri]
 *         hours: "09:00-17:00"
 *         zone: Europe/Paris
 *     quality: L3
 *     deployers: {users: [alice], groups: [release-managers]}
 *     canaryFirst: [web]
 *     maxKeepUntil: 14d
 * </pre>
 * The first entry whose {@code match} matches a stack applies to it. Every error is one line naming the file,
 * the line and the field ({@code policy.yaml:7: stacks[0].windows[0].hours: …}).
 */
public final class StackPolicies {
  private static final List<String> ENTRY_FIELDS =
      List.of("match", "profiles", "windows", "quality", "deployers", "canaryFirst", "maxKeepUntil");
  private static final Pattern MATCH = Pattern.compile("[a-z0-9*]([-a-z0-9*]*[a-z0-9*])?");
  private static final Pattern HOURS = Pattern.compile("(\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})");
  private static final Pattern QUALITY = Pattern.compile("L[1-3]");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  private final String file;
  private final List<StackPolicy> entries;

  private StackPolicies(String file, List<StackPolicy> entries) {
    this.file = file;
    this.entries = List.copyOf(entries);
  }

  /** No policy file: nothing restricted. */
  public static StackPolicies none() {
    return new StackPolicies("(none)", List.of());
  }

  /** Reads and validates {@code file}; {@code displayName} is how errors name it. */
  public static StackPolicies load(Path file, String displayName) {
    Optional<Node> document;
    try {
      document = SafeYaml.compose(file, displayName);
    } catch (StackpipeException e) {
      throw StackpipeException.ofField("policy", e.getMessage());
    }
    return of(document, displayName);
  }

  /** Parses and validates a policy given as text (an installation's setting); {@code displayName} names it. */
  public static StackPolicies parse(String text, String displayName) {
    Optional<Node> document;
    try {
      document = SafeYaml.compose(text, displayName);
    } catch (StackpipeException e) {
      throw StackpipeException.ofField("policy", e.getMessage());
    }
    return of(document, displayName);
  }

  private static StackPolicies of(Optional<Node> document, String displayName) {
    List<StackPolicy> entries = new ArrayList<>();
    if (document.isPresent()) {
      Reader reader = new Reader(displayName);
      Map<String, NodeTuple> top = reader.mapping(document.get(), "(top level)", List.of("stacks"));
      NodeTuple stacks = top.get("stacks");
      if (stacks != null) {
        List<Node> items = reader.sequence(stacks.getValueNode(), "stacks");
        for (int i = 0; i < items.size(); i++) {
          entries.add(reader.entry(items.get(i), "stacks[" + i + "]"));
        }
      }
    }
    return new StackPolicies(displayName, entries);
  }

  public String file() {
    return file;
  }

  public List<StackPolicy> entries() {
    return entries;
  }

  /** The first entry matching {@code stack}, if any. */
  public Optional<StackPolicy> forStack(String stack) {
    return entries.stream().filter(p -> p.matches(stack)).findFirst();
  }

  /** Walks the node tree; every refusal names file, line and field path. */
  private record Reader(String file) {

    StackPolicy entry(Node node, String path) {
      Map<String, NodeTuple> fields = mapping(node, path, ENTRY_FIELDS);
      NodeTuple matchTuple = fields.get("match");
      if (matchTuple == null) {
        throw error(node, path + ".match", "required: the stack name or pattern this entry applies to");
      }
      String match = scalar(matchTuple.getValueNode(), path + ".match");
      if (!MATCH.matcher(match).matches()) {
        throw error(matchTuple.getValueNode(), path + ".match", "\"" + match
            + "\" is neither a stack name nor a pattern (lowercase letters, digits, '-' and '*')");
      }
      List<String> profiles = fields.containsKey("profiles")
          ? strings(fields.get("profiles").getValueNode(), path + ".profiles") : null;
      List<DeployWindow> windows = new ArrayList<>();
      if (fields.containsKey("windows")) {
        List<Node> items = sequence(fields.get("windows").getValueNode(), path + ".windows");
        for (int i = 0; i < items.size(); i++) {
          windows.add(window(items.get(i), path + ".windows[" + i + "]"));
        }
      }
      String quality = null;
      if (fields.containsKey("quality")) {
        Node q = fields.get("quality").getValueNode();
        quality = scalar(q, path + ".quality");
        if (!QUALITY.matcher(quality).matches()) {
          throw error(q, path + ".quality", "\"" + quality + "\" is not a quality level (L1, L2 or L3)");
        }
      }
      Set<String> users = Set.of();
      Set<String> groups = Set.of();
      if (fields.containsKey("deployers")) {
        Node d = fields.get("deployers").getValueNode();
        Map<String, NodeTuple> who = mapping(d, path + ".deployers", List.of("users", "groups"));
        users = who.containsKey("users") ? new LinkedHashSet<>(strings(who.get("users").getValueNode(),
            path + ".deployers.users")) : Set.of();
        groups = who.containsKey("groups") ? new LinkedHashSet<>(strings(who.get("groups").getValueNode(),
            path + ".deployers.groups")) : Set.of();
        if (users.isEmpty() && groups.isEmpty()) {
          throw error(d, path + ".deployers", "names no user and no group: nobody could deploy");
        }
      }
      Set<String> canary = fields.containsKey("canaryFirst")
          ? new LinkedHashSet<>(strings(fields.get("canaryFirst").getValueNode(), path + ".canaryFirst")) : Set.of();
      Duration maxKeep = null;
      if (fields.containsKey("maxKeepUntil")) {
        Node k = fields.get("maxKeepUntil").getValueNode();
        try {
          maxKeep = Durations.parse(scalar(k, path + ".maxKeepUntil"));
        } catch (IllegalArgumentException e) {
          throw error(k, path + ".maxKeepUntil", e.getMessage());
        }
      }
      return new StackPolicy(file + ":" + line(node) + " (" + path + ")", match, profiles, windows, quality, users,
          groups, canary, maxKeep);
    }

    DeployWindow window(Node node, String path) {
      Map<String, NodeTuple> fields = mapping(node, path, List.of("days", "hours", "zone"));
      for (String required : List.of("days", "hours", "zone")) {
        if (!fields.containsKey(required)) {
          throw error(node, path + "." + required, "required");
        }
      }
      Node daysNode = fields.get("days").getValueNode();
      Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      List<String> dayTexts = daysNode instanceof ScalarNode ? List.of(scalar(daysNode, path + ".days"))
          : strings(daysNode, path + ".days");
      for (String text : dayTexts) {
        days.addAll(days(text, daysNode, path + ".days"));
      }
      Node hoursNode = fields.get("hours").getValueNode();
      String hours = scalar(hoursNode, path + ".hours");
      Matcher m = HOURS.matcher(hours);
      LocalTime from;
      LocalTime to;
      try {
        if (!m.matches()) {
          throw new DateTimeException("not HH:MM-HH:MM");
        }
        from = LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        to = m.group(3).equals("24") && m.group(4).equals("00") ? null
            : LocalTime.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
      } catch (DateTimeException e) {
        throw error(hoursNode, path + ".hours", "\"" + hours + "\" is not a time range such as 09:00-17:00");
      }
      if (to != null && !to.isAfter(from)) {
        throw error(hoursNode, path + ".hours", "\"" + hours + "\" ends before it starts (a window crossing"
            + " midnight is two windows)");
      }
      Node zoneNode = fields.get("zone").getValueNode();
      String zone = scalar(zoneNode, path + ".zone");
      try {
        return new DeployWindow(days, from, to, ZoneId.of(zone));
      } catch (DateTimeException e) {
        throw error(zoneNode, path + ".zone", "\"" + zone + "\" is not a time zone (e.g. Europe/Paris, UTC)");
      }
    }

    private Set<DayOfWeek> days(String text, Node node, String path) {
      String[] range = text.toLowerCase(Locale.ROOT).split("-", -1);
      int first = range.length <= 2 ? DAYS.indexOf(range[0]) : -1;
      int last = range.length == 2 ? DAYS.indexOf(range[1]) : first;
      if (first < 0 || last < first) {
        throw error(node, path, "\"" + text + "\" is not a day or range of days (mon..sun, e.g. mon-fri)");
      }
      Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      for (int d = first; d <= last; d++) {
        days.add(DayOfWeek.of(d + 1));
      }
      return days;
    }

    Map<String, NodeTuple> mapping(Node node, String path, List<String> known) {
      if (!(node instanceof MappingNode mapping)) {
        throw error(node, path, "must be a mapping with " + String.join(", ", known));
      }
      Map<String, NodeTuple> fields = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
        String where = path.equals("(top level)") ? String.valueOf(key) : path + "." + key;
        if (key == null || !known.contains(key)) {
          throw error(tuple.getKeyNode(), where, "unknown field (known: " + String.join(", ", known) + ")");
        }
        if (fields.containsKey(key)) {
          throw error(tuple.getKeyNode(), where, "given twice");
        }
        fields.put(key, tuple);
      }
      return fields;
    }

    List<Node> sequence(Node node, String path) {
      if (!(node instanceof SequenceNode sequence)) {
        throw error(node, path, "must be a list");
      }
      return sequence.getValue();
    }

    List<String> strings(Node node, String path) {
      List<String> values = new ArrayList<>();
      List<Node> items = sequence(node, path);
      for (int i = 0; i < items.size(); i++) {
        String value = scalar(items.get(i), path + "[" + i + "]");
        if (value.isBlank()) {
          throw error(items.get(i), path + "[" + i + "]", "is empty");
        }
        values.add(value);
      }
      return values;
    }

    String scalar(Node node, String path) {
      if (!(node instanceof ScalarNode scalar)) {
        throw error(node, path, "must be a single value");
      }
      return scalar.getValue();
    }

    StackpipeException error(Node node, String path, String problem) {
      return StackpipeException.ofField("policy", file + ":" + line(node) + ": " + path + ": " + problem);
    }

    private static int line(Node node) {
      return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }
  }
}
