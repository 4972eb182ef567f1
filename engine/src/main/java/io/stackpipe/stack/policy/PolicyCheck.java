package io.stackpipe.stack.policy;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
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

  private static String orNone(Set<String> names) {
    return names.isEmpty() ? "none" : sorted(names);
  }

  private static String sorted(Set<String> names) {
    return names.stream().sorted().collect(Collectors.joining(", "));
  }
}
