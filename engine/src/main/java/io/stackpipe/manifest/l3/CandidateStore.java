package io.stackpipe.manifest.l3;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stackpipe.StackpipeException;
import io.stackpipe.kube.KubeConflictException;
import io.stackpipe.kube.KubeConnection;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Candidates in the control namespace: one ConfigMap {@code <name>-candidate-<id>} each (so candidates never
 * contend with each other), data {@value #DATA} the {@link Candidate} as JSON, labelled with the manifest, the
 * service and the verdict for selection. Updates are compare-and-swap on the candidate's own object.
 */
final class CandidateStore {
  static final String DATA = "candidate.json";
  static final String SERVICE_LABEL = "stackpipe.io/service";
  static final String VERDICT_LABEL = "stackpipe.io/verdict";

  record Snapshot(ConfigMap object, Candidate candidate) {
  }

  private final KubeConnection kube;
  private final String namespace;
  private final String manifest;

  CandidateStore(KubeConnection kube, String namespace, String manifest) {
    this.kube = kube;
    this.namespace = namespace;
    this.manifest = manifest;
  }

  static String objectName(String manifest, String id) {
    return manifest + "-candidate-" + id;
  }

  void create(Candidate candidate) {
    ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName(objectName(manifest, candidate.id()))
        .withNamespace(namespace).withLabels(labels(candidate)).endMetadata()
        .withData(Map.of(DATA, L3Json.write(candidate))).build();
    try {
      kube.client().configMaps().inNamespace(namespace).resource(map).create();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "create", "configmaps", namespace);
    }
  }

  Optional<Snapshot> get(String id) {
    try {
      ConfigMap map = kube.client().configMaps().inNamespace(namespace).withName(objectName(manifest, id)).get();
      return Optional.ofNullable(map).map(this::snapshot);
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "get", "configmaps", namespace);
    }
  }

  /** Every candidate of the manifest, newest first, in one LIST. */
  List<Candidate> list() {
    try {
      return kube.client().configMaps().inNamespace(namespace)
          .withLabel(L3Pointer.MANIFEST_LABEL, manifest).withLabel(L3Pointer.ROLE_LABEL, "candidate").list()
          .getItems().stream().map(this::snapshot).map(Snapshot::candidate)
          .sorted(Comparator.comparing((Candidate c) -> Instant.parse(c.created())).thenComparing(Candidate::id)
              .reversed()).toList();
    } catch (KubernetesClientException e) {
      throw kube.translate(e, "list", "configmaps", namespace);
    }
  }

  /**
   * Applies {@code change} to the candidate as last read, compare-and-swap, re-reading on a conflict up to
   * {@code attempts} times. {@code change} sees the fresh record each time and may refuse by throwing.
   */
  Candidate update(String id, UnaryOperator<Candidate> change, int attempts) {
    for (int attempt = 1; ; attempt++) {
      Snapshot read = get(id).orElseThrow(() -> StackpipeException.ofField("candidate", "no candidate " + id
          + " of " + manifest + " in namespace " + namespace));
      Candidate next = change.apply(read.candidate());
      ConfigMap edited = new ConfigMapBuilder(read.object()).editMetadata().withLabels(labels(next)).endMetadata()
          .withData(Map.of(DATA, L3Json.write(next))).build();
      try {
        kube.objects().updateIfUnchanged(edited);
        return next;
      } catch (KubeConflictException e) {
        if (attempt >= attempts) {
          throw new StackpipeException("candidate " + id + " changed under " + attempts + " attempts in a row to"
              + " update it (ConfigMap " + namespace + "/" + objectName(manifest, id) + "); try again", e);
        }
      }
    }
  }

  /** Deletes the oldest finished candidates beyond {@code keep}; open ones are never pruned. Returns their ids. */
  List<String> prune(int keep) {
    List<Candidate> finished = list().stream().filter(c -> !c.verdict().open()).toList();
    List<String> pruned = finished.stream().skip(keep).map(Candidate::id).toList();
    for (String id : pruned) {
      try {
        kube.client().configMaps().inNamespace(namespace).withName(objectName(manifest, id)).delete();
      } catch (KubernetesClientException e) {
        throw kube.translate(e, "delete", "configmaps", namespace);
      }
    }
    return pruned;
  }

  private Map<String, String> labels(Candidate candidate) {
    return Map.of(L3Pointer.MANAGED_BY, "stackpipe", L3Pointer.MANIFEST_LABEL, manifest,
        L3Pointer.ROLE_LABEL, "candidate", SERVICE_LABEL, candidate.change().service(),
        VERDICT_LABEL, candidate.verdict().label());
  }

  private Snapshot snapshot(ConfigMap map) {
    String display = "ConfigMap " + namespace + "/" + map.getMetadata().getName();
    String json = map.getData() == null ? null : map.getData().get(DATA);
    if (json == null) {
      throw new StackpipeException(display + " has no " + DATA + ": not a Stackpipe L3 candidate");
    }
    return new Snapshot(map, L3Json.read(json, new TypeReference<Candidate>() { }, display));
  }
}
