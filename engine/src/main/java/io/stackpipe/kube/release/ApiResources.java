package io.stackpipe.kube.release;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackpipe.kube.KubeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each kind of a release lives in the API: its plural resource name and whether it is namespaced, from one
 * discovery request per API group version (sent together).
 */
final class ApiResources {

  /** One kind's resource. */
  record Resource(String apiVersion, String kind, String plural, boolean namespaced) {
    /** The collection's path: {@code /apis/apps/v1/namespaces/ns/deployments} or {@code /api/v1/namespaces}. */
    String collection(String namespace) {
      String prefix = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
      return prefix + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
    }

    String object(String namespace, String name) {
      return collection(namespace) + "/" + name;
    }
  }

  private final Map<String, Resource> byKind;

  private ApiResources(Map<String, Resource> byKind) {
    this.byKind = byKind;
  }

  static ApiResources discover(ApiCalls api, Set<String> apiVersions) {
    List<String> versions = new ArrayList<>(new LinkedHashSet<>(apiVersions));
    List<ApiCalls.Response> responses = api.all(versions.stream()
        .map(v -> new ApiCalls.Call("GET", v.contains("/") ? "/apis/" + v : "/api/" + v, null, null)).toList());
    Map<String, Resource> byKind = new HashMap<>();
    for (int i = 0; i < versions.size(); i++) {
      ApiCalls.Response response = responses.get(i);
      if (response.code() == 404) {
        continue; // an unknown group version: the kinds it would hold are reported by resource()
      }
      if (!response.ok()) {
        throw new KubeException("discover API " + versions.get(i) + " failed: " + response.message());
      }
      for (JsonNode resource : response.body().path("resources")) {
        String plural = resource.path("name").asText();
        if (!plural.contains("/")) {
          String kind = resource.path("kind").asText();
          byKind.put(versions.get(i) + " " + kind,
              new Resource(versions.get(i), kind, plural, resource.path("namespaced").asBoolean()));
        }
      }
    }
    return new ApiResources(byKind);
  }

  Resource resource(ManifestObject object) {
    Resource resource = byKind.get(object.apiVersion() + " " + object.kind());
    if (resource == null) {
      throw new KubeException("rendered manifest " + object.source() + ": the cluster has no kind " + object.kind()
          + " in " + object.apiVersion());
    }
    return resource;
  }
}
