package io.stackpipe.umbrella;

import io.stackpipe.Result;
import io.stackpipe.kube.HelmReleases.Release;
import io.stackpipe.kube.ServiceAddresses.ServiceAddress;
import io.stackpipe.stack.Stack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stack made of an umbrella chart: the stack, the umbrella with its services' versions, the one release, and
 * how to reach it (commands, and the Services' ClusterIPs, which only answer where kube-proxy routes them).
 */
public record UmbrellaStackResult(Stack stack, Umbrella umbrella, UmbrellaValues values, Release release,
    List<ServiceAddress> addresses) implements Result {

  public UmbrellaStackResult {
    addresses = List.copyOf(addresses);
  }

  /** The commands that reach the stack from a workstation. */
  public List<String> reach() {
    return List.of("telepresence connect --namespace " + stack.namespace(),
        "kubectl --namespace " + stack.namespace() + " get pods,services");
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>(stack.toMap());
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("chart", umbrella.name());
    manifest.put("version", umbrella.version());
    manifest.put("digest", umbrella.digest());
    manifest.put("reference", umbrella.reference());
    map.put("manifest", manifest);
    map.put("profile", values.profile());
    map.put("release", release.toMap());
    List<Map<String, Object>> services = new ArrayList<>();
    for (int i = 0; i < umbrella.services().size(); i++) {
      Umbrella.Service service = umbrella.services().get(i);
      Map<String, Object> entry = new LinkedHashMap<>(service.toMap());
      entry.put("secretsSkipped", values.services().get(i).secretsSkipped());
      services.add(entry);
    }
    map.put("services", services);
    map.put("addresses", addresses.stream().map(a -> Result.fields("service", a.service(), "port", a.port(),
        "url", a.url())).toList());
    map.put("reach", reach());
    return map;
  }
}
