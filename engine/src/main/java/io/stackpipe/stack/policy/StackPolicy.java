package io.stackpipe.stack.policy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for the stacks whose name {@code match} matches ({@code *} matches any run of characters), as one
 * entry of a policy file. An absent rule restricts nothing.
 *
 * @param where          {@code file:line (stacks[i])}, how refusals name the entry
 * @param profiles       the profiles that may be deployed; {@code null}: any
 * @param windows        when deploys may start; empty: any time
 * @param quality        the quality a deployed version must have reached ({@code L1}..{@code L3}), {@code null}: any
 * @param users          who may deploy (with {@code groups}); both empty: anyone
 * @param canaryFirst    services that must be deployed as a canary first
 * @param maxKeepUntil   how far ahead a keep-until may be set; {@code null}: the installation's maximum
 */
public record StackPolicy(String where, String match, List<String> profiles, List<DeployWindow> windows,
    String quality, Set<String> users, Set<String> groups, Set<String> canaryFirst, Duration maxKeepUntil) {

  public StackPolicy {
    profiles = profiles == null ? null : List.copyOf(profiles);
    windows = List.copyOf(windows);
    users = Set.copyOf(users);
    groups = Set.copyOf(groups);
    canaryFirst = Set.copyOf(canaryFirst);
  }

  public boolean matches(String stack) {
    return Pattern.matches(Pattern.quote(match).replace("*", "\\E.*\\Q"), stack);
  }

  public Optional<Duration> maxKeep() {
    return Optional.ofNullable(maxKeepUntil);
  }
}
