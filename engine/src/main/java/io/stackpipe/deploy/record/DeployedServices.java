package io.stackpipe.deploy.record;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.Result;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.Stacks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What runs in a stack, as Stackpipe deployed it: one small ConfigMap {@value #NAME} per stack, labelled
 * {@value #RECORD_LABEL}={@value #RECORD} and with the installation, holding one line per deployed service
 * (release, chart version, digest, profile, revision, status, when and by whom). Written at deploy time (a deploy,
 * a canary, an umbrella stack) by compare-and-swap; read by the status report for every stack in ONE list by
 * label, instead of Helm's release Secrets, each of which holds the whole gzipped chart and manifest.
 *
 * <p>It says what Stackpipe deployed: a release changed by hand with Helm outside Stackpipe is not seen here.
 */
public final class DeployedServices {
  public static final String NAME = "stackpipe-deployed";
  public static final String RECORD_LABEL = "stackpipe.io/record";
  public static final String RECORD = "deployed";
  public static final String DATA_KEY = "services.json";
  private static final int ATTEMPTS = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One deployed service. For an umbrella stack every service is a subchart of the one release.
   *
   * @param release the Helm release that holds it
   * @param canary  a canary release beside the stable one (drift compares the stable one)
   * @param status  Helm's status of the release after the deploy ({@code deployed}, {@code failed}, …)
   */
  public record Service(String service, String release, String version, String digest, String profile,
      int revision, String status, boolean canary, String deployedAt, String deployedBy) implements Result {

    @Override
    public Map<String, Object> toMap() {
      return Result.fields("service", service, "release", release, "version", version, "digest", digest,
          "profile", profile, "revision", revision, "status", status, "canary", canary, "deployedAt", deployedAt,
          "deployedBy", deployedBy);
    }
  }

  private final KubeConnection kube;
  private final String namespace;
  private final String installation;

  private DeployedServices(KubeConnection kube, String namespace, String installation) {
    this.kube = kube;
    this.namespace = namespace;
    this.installation = installation;
  }

  /** The record of stack {@code stack} of these stacks. */
  public static DeployedServices of(Stacks stacks, String stack) {
    return new DeployedServices(stacks.kube(), stacks.namespaceOf(stack), stacks.installation());
  }

  /** Services in the record's {@value #DATA_KEY} value (as a LIST returns them); refuses a foreign value. */
  public static List<Service> parse(String json, String where) {
    if (json == null) {
      return List.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<List<Service>>() { });
    } catch (IOException e) {
      throw new StackpipeException("ConfigMap " + where + " is not a Stackpipe deployed-services record ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  public List<Service> read() {
    ConfigMap map = get();
    return map == null || map.getData() == null ? List.of() : parse(map.getData().get(DATA_KEY), where());
  }

  /** Records {@code deployed}, replacing the line of the same release and service. */
  public void put(List<Service> deployed) {
    update(services -> {
      for (Service s : deployed) {
        services.removeIf(old -> old.release().equals(s.release()) && old.service().equals(s.service()));
        services.add(s);
      }
    });
  }

  /** Forgets every service of {@code release} (a removed canary). */
  public void removeRelease(String release) {
    update(services -> services.removeIf(old -> old.release().equals(release)));
  }

  private void update(Consumer<List<Service>> change) {
    kube.objects().updateConfigMapData(namespace, NAME, Map.of(Stack.MANAGED_BY_LABEL, Stack.MANAGED_BY,
        Stack.INSTALLATION_LABEL, installation, RECORD_LABEL, RECORD), ATTEMPTS, current -> {
          List<Service> services = new ArrayList<>(current == null || current.getData() == null ? List.of()
              : parse(current.getData().get(DATA_KEY), where()));
          change.accept(services);
          services.sort(Comparator.comparing(Service::service).thenComparing(Service::release));
          return Map.of(DATA_KEY, json(services));
        });
  }

  private ConfigMap get() {
    try {
      return kube.client().configMaps().inNamespace(namespace).withName(NAME).get();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "get", "configmaps", namespace);
    }
  }

  private String where() {
    return namespace + "/" + NAME;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
