package io.stackpipe.deploy;

import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.deploy.record.DeployEntry;
import io.stackpipe.deploy.record.DeployHistory;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.stack.Stack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Deploy#sync}: brings a stack deployed service by service (persistent, production) to a manifest. Each
 * service whose release runs another version (or none) is deployed through the one deploy path — the stack's
 * policy, lock, secrets, atomic rollback and history — one at a time in name order; the first failure stops the
 * sync, and the result says what is done and what is left. Everything that can be refused is refused before the
 * first deploy: a stack made of one umbrella release, a service without a known profile.
 */
final class StackSync {

  private final Deploy deploy;

  StackSync(Deploy deploy) {
    this.deploy = deploy;
  }

  private record Planned(String service, String from, String to, String profile, boolean differs) {}

  StackSyncResult to(SyncTarget target) {
    String stackName = deploy.stackName();
    Stack stack = deploy.stacks().show(stackName);
    if (stack.manifest() != null) {
      throw StackpipeException.ofField("stack", stackName + " is made of one umbrella release ("
          + stack.manifest().chart() + " " + stack.manifest().version() + "): a sync deploys service by service;"
          + " make a new stack from the manifest instead");
    }
    String namespace = stack.namespace();
    Map<String, Release> releases = new TreeMap<>();
    deploy.stacks().kube().releases().list(namespace).forEach(r -> releases.put(r.name(), r));
    Map<String, String> lastProfiles = lastProfiles(new DeployHistory(deploy.stacks().kube(), namespace));
    String explicit = deploy.profileName();

    List<Planned> plan = new ArrayList<>();
    List<String> withoutProfile = new ArrayList<>();
    target.services().forEach((service, version) -> {
      Release release = releases.get(service);
      String from = release == null ? null : deployedVersion(release, service);
      boolean differs = from == null || !from.equals(version) || !"deployed".equals(release.status());
      String profile = explicit != null ? explicit : lastProfiles.get(service);
      if (differs && profile == null) {
        withoutProfile.add(service);
      }
      plan.add(new Planned(service, from, version, profile, differs));
    });
    if (!withoutProfile.isEmpty()) {
      throw StackpipeException.ofField("profile", "is required: " + String.join(", ", withoutProfile)
          + (withoutProfile.size() == 1 ? " was" : " were") + " never deployed to stack " + stackName
          + ", so no profile of " + (withoutProfile.size() == 1 ? "its" : "theirs") + " is known");
    }
    List<String> notInManifest = releases.keySet().stream().filter(r -> !target.services().containsKey(r)).toList();
    long differing = plan.stream().filter(Planned::differs).count();
    deploy.progress().accept("sync stack " + stackName + " to " + target + ": " + differing + " of " + plan.size()
        + " services to deploy" + (notInManifest.isEmpty() ? "" : "; not in the manifest, left alone: "
        + String.join(", ", notInManifest)));

    List<StackSyncResult.Step> steps = new ArrayList<>();
    boolean stopped = false;
    for (Planned p : plan) {
      if (!p.differs()) {
        steps.add(new StackSyncResult.Step(p.service(), p.from(), p.to(), p.profile(), "unchanged", 0, ""));
      } else if (stopped) {
        steps.add(new StackSyncResult.Step(p.service(), p.from(), p.to(), p.profile(), "left", 0, ""));
      } else {
        deploy.progress().accept(p.service() + ": " + (p.from() == null ? "none" : p.from()) + " -> " + p.to()
            + " (profile " + p.profile() + ")");
        try {
          DeployResult result = deploy.forService(ChartSource.inRegistry(target.charts(), p.service(), p.to()),
              p.profile(), p.service()).call();
          steps.add(new StackSyncResult.Step(p.service(), p.from(), p.to(), p.profile(), "deployed",
              result.revision(), ""));
        } catch (RuntimeException e) {
          stopped = true;
          String reason = Messages.firstLine(e);
          deploy.progress().accept(p.service() + ": failed, the sync stops here: " + reason);
          steps.add(new StackSyncResult.Step(p.service(), p.from(), p.to(), p.profile(), "failed", 0, reason));
        }
      }
    }
    deploy.forService(null, explicit, null);
    return new StackSyncResult(stackName, namespace, target.manifest(), target.version(), steps, notInManifest);
  }

  /** "orders-1.4.0" of release orders → "1.4.0"; a release of another chart counts as no version. */
  private static String deployedVersion(Release release, String service) {
    String chart = release.chart();
    return chart != null && chart.startsWith(service + "-") ? chart.substring(service.length() + 1) : null;
  }

  /** The profile of each release's last successful deploy. */
  private static Map<String, String> lastProfiles(DeployHistory history) {
    Map<String, String> profiles = new LinkedHashMap<>();
    for (DeployEntry entry : history.read().entries()) {
      if ("succeeded".equals(entry.result()) && entry.profile() != null && !"abort".equals(entry.action())) {
        profiles.put(entry.release(), entry.profile());
      }
    }
    return profiles;
  }
}
