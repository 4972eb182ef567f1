package io.stackpipe.cli;

import io.stackpipe.StackpipeException;
import io.stackpipe.kube.ServiceAddresses.ServiceAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's proof that the example services serve: HTTP calls from this machine to their ClusterIPs (kube-proxy
 * routes them to the pods), the gateway's reaching orders and billing through their Services in turn.
 */
final class ServiceCalls {

  /** Service and path, in the order they are called and printed. */
  private static final List<String> CALLS = List.of("orders /version", "billing /version", "gateway /version",
      "gateway /summary");
  private static final Duration RETRY = Duration.ofSeconds(5);
  private static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  private ServiceCalls() {
  }

  /**
   * "GET http://10.0.0.12:8000/summary" → the response body; a failed call is a one-line error. Each service is
   * called on the first port of its Service among {@code addresses} (a stack's, as the engine listed them).
   */
  static Map<String, String> call(List<ServiceAddress> addresses) {
    Map<String, String> responses = new LinkedHashMap<>();
    for (String call : CALLS) {
      String[] parts = call.split(" ");
      ServiceAddress address = addresses.stream().filter(a -> a.service().equals(parts[0])).findFirst()
          .orElseThrow(() -> new StackpipeException("service " + parts[0] + ": not found or without a ClusterIP"));
      String url = address.url() + parts[1];
      responses.put("GET " + url + " (" + parts[0] + ")", get(parts[0], url));
    }
    return responses;
  }

  /**
   * kube-proxy follows a new endpoint a moment after it is ready (measured: up to about 0.7 s), for the gateway's
   * own calls too: a refused connection or a failed answer is retried for a few seconds.
   */
  private static String get(String service, String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + RETRY.toNanos();
    try {
      while (true) {
        String failure;
        try {
          // A fresh client per attempt: a kept-alive connection opened before kube-proxy's rule existed would
          // keep reaching whatever answered then (here, the machine's outbound proxy with a 404).
          HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            return response.body().strip();
          }
          failure = "answered " + response.statusCode() + ": " + response.body().strip();
        } catch (IOException e) {
          failure = "failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        if (System.nanoTime() > deadline) {
          throw new StackpipeException(service + ": GET " + url + " " + failure);
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackpipeException(service + ": interrupted while calling " + url);
    }
  }
}
