package io.stackpipe.kube;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

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
  private final Consumer<Request> beforeSend;

  public KubeRequests() {
    this(request -> { });
  }

  /**
   * Also calls {@code beforeSend} with each request, on the sending thread, before it goes out: where fault tests
   * put a real concurrent writer at the worst moment.
   */
  public KubeRequests(Consumer<Request> beforeSend) {
    this.beforeSend = beforeSend;
  }

  void record(String method, String path) {
    Request request = new Request(method, path);
    requests.add(request);
    beforeSend.accept(request);
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
