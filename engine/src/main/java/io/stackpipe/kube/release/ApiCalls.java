package io.stackpipe.kube.release;

import io.stackpipe.base.Messages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.stackpipe.kube.KubeConnection;
import io.stackpipe.kube.KubeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;

/**
 * Raw API requests over the connection's own HTTP client (same credentials, same request recording), many in
 * flight at once: the objects of a release are independent requests, and the API server, not the client, is the
 * bottleneck. At most {@code parallelism} requests are in flight.
 */
final class ApiCalls {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A finished request: its status code and body (a Kubernetes object, list or Status). */
  record Response(int code, JsonNode body) {
    boolean ok() {
      return code >= 200 && code < 300;
    }

    /** The Status message of a refusal, in one line. */
    String message() {
      String message = body == null ? "" : body.path("message").asText("");
      return message.isEmpty() ? "HTTP " + code : Messages.brief(message.lines().findFirst().orElse(""));
    }
  }

  /** One request; {@code body} is JSON, or null for a GET. */
  record Call(String method, String path, String contentType, Object body) {}

  private final KubeConnection kube;
  private final HttpClient http;
  private final String server;
  private final Semaphore inFlight;

  ApiCalls(KubeConnection kube, int parallelism) {
    this.kube = kube;
    this.http = kube.client().getHttpClient();
    String master = kube.client().getMasterUrl().toString();
    this.server = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
    this.inFlight = new Semaphore(parallelism);
  }

  CompletableFuture<Response> send(Call call) {
    HttpRequest.Builder request = http.newHttpRequestBuilder().uri(server + call.path())
        .header("Accept", "application/json");
    if (call.body() != null) {
      byte[] bytes;
      try {
        bytes = JSON.writeValueAsBytes(call.body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      request.method(call.method(), call.contentType(), new String(bytes, StandardCharsets.UTF_8));
    }
    inFlight.acquireUninterruptibly();
    CompletableFuture<HttpResponse<byte[]>> sent;
    try {
      sent = http.sendAsync(request.build(), byte[].class);
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    return sent.whenComplete((r, e) -> inFlight.release()).thenApply(r -> {
      byte[] body = r.body();
      JsonNode json = null;
      if (body != null && body.length > 0) {
        try {
          json = JSON.readTree(body);
        } catch (IOException e) {
          json = null; // not JSON (a proxy's error page): the status code speaks
        }
      }
      return new Response(r.code(), json);
    });
  }

  /** Sends every call (at most {@code parallelism} at once) and returns the responses in the same order. */
  List<Response> all(List<Call> calls) {
    List<CompletableFuture<Response>> futures = new ArrayList<>(calls.size());
    for (Call call : calls) {
      futures.add(send(call));
    }
    List<Response> responses = new ArrayList<>(calls.size());
    for (int i = 0; i < futures.size(); i++) {
      responses.add(await(futures.get(i), calls.get(i)));
    }
    return responses;
  }

  Response one(Call call) {
    return await(send(call), call);
  }

  private Response await(CompletableFuture<Response> future, Call call) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new KubeException("cannot reach the Kubernetes API at " + kube.server() + " (" + call.method() + " "
          + call.path() + "): " + cause.getMessage(), cause);
    }
  }
}
