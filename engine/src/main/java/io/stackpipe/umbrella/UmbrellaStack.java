package io.stackpipe.umbrella;

import io.stackpipe.Masking;
import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackManifest;
import io.stackpipe.stack.StackType;
import io.stackpipe.stack.Stacks;
import io.stackpipe.secrets.keys.SecretKeys;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.chart.ChartArchive;
import io.stackpipe.kube.PullSecrets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * createEphemeralStack: a new stack made of an umbrella chart. The profile values are composed first (a subchart
 * without the profile is refused before anything exists), then the stack's namespace is created with the
 * umbrella recorded on it, and the umbrella is installed as one release under the stack's lock. A failed install
 * destroys the new stack again unless {@link #keepOnFailure}.
 *
 * <pre>{@code
 * UmbrellaStackResult created = UmbrellaStack.create(stacks, "pr-42")
 *     .withOwner("alice")
 *     .withUmbrella(umbrella)
 *     .withProfile("ephemeral")
 *     .waitingUpTo(Duration.ofMinutes(5))
 *     .call();
 * }</pre>
 */
public final class UmbrellaStack {

  public static final String DEFAULT_PROFILE = "ephemeral";

  private final Stacks stacks;
  private final String name;
  private String owner;
  private String purpose;
  private Duration ttl;
  private boolean keepOnFailure;
  private Supplier<Umbrella> umbrella;
  private String profile = DEFAULT_PROFILE;
  private Duration wait;
  private SecretKeys keys;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private Consumer<String> progress = line -> { };
  private StackType type = StackType.EPHEMERAL;

  private UmbrellaStack(Stacks stacks, String name) {
    this.stacks = stacks;
    this.name = name;
  }

  public static UmbrellaStack create(Stacks stacks, String name) {
    return new UmbrellaStack(stacks, name);
  }

  public UmbrellaStack withOwner(String value) {
    this.owner = value;
    return this;
  }

  /** The stack's type as asked for: only {@code ephemeral} is accepted (checked at {@link #call()}). */
  public UmbrellaStack withType(StackType value) {
    this.type = value;
    return this;
  }

  public UmbrellaStack withPurpose(String value) {
    this.purpose = value;
    return this;
  }

  public UmbrellaStack withTtl(Duration value) {
    this.ttl = value;
    return this;
  }

  public UmbrellaStack keepOnFailure(boolean value) {
    this.keepOnFailure = value;
    return this;
  }

  public UmbrellaStack withUmbrella(Umbrella value) {
    this.umbrella = () -> value;
    return this;
  }

  /**
   * The umbrella, resolved only once the stack's other inputs passed their checks (resolving a list may push an
   * umbrella: a refused stack must change nothing).
   */
  public UmbrellaStack withUmbrellaFrom(Supplier<Umbrella> resolve) {
    this.umbrella = resolve;
    return this;
  }

  /** The profile every subchart is installed with (default {@value #DEFAULT_PROFILE}). */
  public UmbrellaStack withProfile(String value) {
    this.profile = value;
    return this;
  }

  /** Waits for Ready pods (the node must run them); without it the stack is done once its objects exist. */
  public UmbrellaStack waitingUpTo(Duration value) {
    this.wait = value;
    return this;
  }

  /** Keys that decrypt the subcharts' profile secrets; without them the secrets are left out, and said so. */
  /** Where registry credentials come from: the stack's pull secret is made from them (default: none). */
  public UmbrellaStack withRegistryAuth(RegistryAuth value) {
    this.auth = value;
    return this;
  }

  public UmbrellaStack withSecretKeys(SecretKeys value) {
    this.keys = value;
    return this;
  }

  public UmbrellaStack withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public UmbrellaStackResult call() {
    if (type != StackType.EPHEMERAL) {
      // One release of every service at once: persistent stacks change service by service (deploy), never so.
      throw io.stackpipe.StackpipeException.ofField("type", "a stack made from a manifest is ephemeral; persistent"
          + " and production stacks take one service at a time (deploy)");
    }
    if (this.umbrella == null) {
      throw io.stackpipe.StackpipeException.ofField("manifest", "is required");
    }
    Umbrella umbrella = this.umbrella.get();
    UmbrellaValues values = UmbrellaValues.compose(umbrella, profile, keys);
    // The decrypted values stay out of the progress lines and of a failure's message (a rendering error quotes them).
    Masking masking = Masking.of(values.secretValues());
    Consumer<String> progress = masking.wrap(this.progress);
    try {
      return install(umbrella, values, progress);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      String shown = masking.mask(message);
      if (shown.equals(message)) {
        throw e;
      }
      // Without the cause, which carries the unmasked message.
      throw StackpipeException.ofField(e instanceof StackpipeException refusal ? refusal.field().orElse(null) : null,
          shown);
    }
  }

  private UmbrellaStackResult install(Umbrella umbrella, UmbrellaValues values, Consumer<String> progress) {
    AtomicReference<Release> installed = new AtomicReference<>();
    Stack stack = stacks.create(name).withOwner(owner).withPurpose(purpose).withTtl(ttl)
        .withManifest(new StackManifest(umbrella.name(), umbrella.version(), umbrella.digest()))
        .keepOnFailure(keepOnFailure)
        .withContent(created -> {
          progress.accept("created stack " + created.name() + " (namespace " + created.namespace() + ")");
          List<String> pulling = PullSecrets.apply(stacks.kube(), created.namespace(),
              PullSecrets.hosts(ChartArchive.files(umbrella.archive())), auth);
          UmbrellaValues installing = values;
          if (!pulling.isEmpty()) {
            progress.accept("pull secret " + PullSecrets.NAME + " for " + String.join(", ", pulling));
            installing = withPullSecretValues(umbrella, values);
          }
          installed.set(UmbrellaInstall.into(stacks.kube()).withUmbrella(umbrella).withValues(installing)
              .withNamespace(created.namespace()).waitingUpTo(wait).withProgress(progress).call());
          Release release = installed.get();
          String at = stacks.clock().instant().toString();
          DeployedServices.of(stacks, created.name()).put(umbrella.services().stream()
              .map(s -> new DeployedServices.Service(s.name(), release.name(), s.version(), s.digest(), profile,
                  release.revision(), release.status(), false, at, owner)).toList());
        })
        .call();
    return new UmbrellaStackResult(stack, umbrella, values, installed.get(),
        stacks.kube().services().list(stack.namespace()));
  }

  /** The subcharts that have their own {@code imagePullSecrets} value get the pull secret there. */
  @SuppressWarnings("unchecked")
  private static UmbrellaValues withPullSecretValues(Umbrella umbrella, UmbrellaValues values) {
    Map<String, Object> all = new java.util.LinkedHashMap<>(values.values());
    umbrella.serviceArchives().forEach((service, archive) -> {
      Map<String, Object> own = (Map<String, Object>) all.getOrDefault(service.key(), Map.of());
      PullSecrets.inChartValue(ChartArchive.read(new java.io.ByteArrayInputStream(archive), service.name()), own)
          .ifPresent(with -> all.put(service.key(), with));
    });
    return new UmbrellaValues(values.profile(), all, values.services(), values.secretValues());
  }
}
