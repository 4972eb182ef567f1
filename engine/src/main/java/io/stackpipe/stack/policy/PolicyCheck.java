package io.stackpipe.stack.policy;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Whether a deploy may go ahead under the stack policies. The front end passes who deploys (its own identity
 * of the user and the user's groups) and its clock; the check runs the first policy entry matching the stack,
 * rule by rule, and refuses naming the entry and the rule.
 */
public final class PolicyCheck {

  /** One deploy to judge: which profile of which service onto which stack, by whom, canary or not. */
  public record Deploy(String stack, String profile, String service, String user, Set<String> groups,
      boolean canary) {
    public Deploy {
      groups = Set.copyOf(groups);
    }
  }

  /**
   * What the current L3 holds of one service, for the quality rule.
   *
   * @param l3 the current L3's manifest and version ({@code platform 4.0.0-c4k9x2m7q})
   * @param version the service's version in it; {@code null} when L3 has no such service
   */
  public record L3Pin(String l3, String version) {}

  private final StackPolicies policies;
  private final Clock clock;

  public PolicyCheck(StackPolicies policies, Clock clock) {
    this.policies = policies;
    this.clock = clock;
  }

  /** The entry that allowed the deploy (empty when no entry matches the stack: nothing restricted). */
  public Optional<StackPolicy> check(Deploy deploy) {
    Optional<StackPolicy> found = policies.forStack(deploy.stack());
    if (found.isEmpty()) {
      return found;
    }
    StackPolicy policy = found.get();
    String subject = "stack " + deploy.stack() + ": policy " + policy.where() + " refuses: ";
    if (!policy.users().isEmpty() || !policy.groups().isEmpty()) {
      boolean allowed = policy.users().contains(deploy.user())
          || deploy.groups().stream().anyMatch(policy.groups()::contains);
      if (!allowed) {
        throw new PolicyRefusedException("deployers", subject + "deployers: " + deploy.user()
            + (deploy.groups().isEmpty() ? "" : " (groups " + sorted(deploy.groups()) + ")")
            + " may not deploy (allowed users: " + orNone(policy.users()) + "; groups: " + orNone(policy.groups()) + ")");
      }
    }
    if (policy.profiles() != null && !policy.profiles().contains(deploy.profile())) {
      throw new PolicyRefusedException("profiles", subject + "profiles: profile " + deploy.profile()
          + " is not allowed (allowed: " + (policy.profiles().isEmpty() ? "none" : String.join(", ", policy.profiles()))
          + ")");
    }
    Instant now = clock.instant();
    if (!policy.windows().isEmpty() && policy.windows().stream().noneMatch(w -> w.contains(now))) {
      throw new PolicyRefusedException("windows", subject + "windows: " + now + " is outside every deploy window ("
          + policy.windows().stream().map(DeployWindow::toString).collect(Collectors.joining("; ")) + ")");
    }
    if (policy.canaryFirst().contains(deploy.service()) && !deploy.canary()) {
      throw new PolicyRefusedException("canaryFirst", subject + "canaryFirst: service " + deploy.service()
          + " must be deployed as a canary first");
    }
    return found;
  }

  /**
   * The quality rule: a stack whose entry says {@code quality: L3} (the production gate) takes only the version of
   * a service that the current L3 holds. {@code l3} is asked only when the rule applies; empty means there is no L3
   * yet. {@code L1} and {@code L2} are recorded but not enforced: nothing records those levels.
   */
  public void checkQuality(String stack, String service, String version, Supplier<Optional<L3Pin>> l3) {
    Optional<StackPolicy> found = policies.forStack(stack);
    if (found.isEmpty() || !"L3".equals(found.get().quality())) {
      return;
    }
    String subject = "stack " + stack + ": policy " + found.get().where() + " refuses: quality: ";
    L3Pin pin = l3.get().orElseThrow(() -> new PolicyRefusedException("quality", subject + service + " " + version
        + " is not in L3: there is no L3 yet"));
    if (pin.version() == null) {
      throw new PolicyRefusedException("quality", subject + service + " " + version + " is not in L3 ("
          + pin.l3() + " has no " + service + ")");
    }
    if (!pin.version().equals(version)) {
      throw new PolicyRefusedException("quality", subject + service + " " + version + " is not the L3 version: L3 "
          + pin.l3() + " has " + service + " " + pin.version());
    }
  }

  private static String orNone(Set<String> names) {
    return names.isEmpty() ? "none" : sorted(names);
  }

  private static String sorted(Set<String> names) {
    return names.stream().sorted().collect(Collectors.joining(", "));
  }
}
