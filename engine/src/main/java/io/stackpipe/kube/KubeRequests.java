package io.stackpipe.kube;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every HTTP request a {@link KubeConnection} sends to the API server (retries included), in order: what
 * benchmarks count per operation and what tests use to prove that a dry run writes nothing.
 */
public final class KubeRequests {

  /** One request: the HTTP method and the path with its query, e.g. {@code GET /api/v1/namespaces?labelSelector=…}. */
  public record Request(String method, String path) {
    public boolean isWrite() {
      return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();

  void record(String method, String path) {
    requests.add(new Request(method, path));
  }

  public List<Request> all() {
    return List.copyOf(requests);
  }

  public List<Request> writes() {
    return requests.stream().filter(Request::isWrite).toList();
  }

  public void clear() {
    requests.clear();
  }
}
