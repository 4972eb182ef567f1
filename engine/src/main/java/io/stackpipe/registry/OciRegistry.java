package io.stackpipe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.StackpipeException;
import io.stackpipe.registry.auth.RegistryAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client for the OCI distribution API of one registry host: manifests (read, push, retag, delete), blobs
 * (pull verified against their digest, push), and tags. Challenges are answered with the host's credential from a
 * {@link RegistryAuth} (Basic, or bearer tokens per scope), anonymously when it has none. A reference is a tag or a {@code sha256:} digest; tags are written as Helm writes them
 * ({@link #tag}).
 */
public final class OciRegistry {

  /** Media types Stackpipe reads: image indexes and manifests of both OCI and Docker v2 flavours. */
  static final String MANIFEST_ACCEPT = String.join(", ",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json");
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;[^,]*rel=\"?next\"?");
  private static final int TAG_PAGE = 100;

  /** A manifest exactly as the registry holds it: retagging re-PUTs these bytes, so the digest stays. */
  public record Manifest(String mediaType, byte[] bytes, String digest) {
  }

  private final String host;
  private final RegistryHttp http;
  private final RegistryAuth auth;
  // Repositories this client has prepared for a push (RegistryAuth#beforeFirstPush).
  private final java.util.Set<String> pushedTo = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** An anonymous client. */
  public OciRegistry(String host, boolean plainHttp) {
    this(host, plainHttp, RegistryAuth.anonymous());
  }

  /** A client answering challenges with {@code auth}'s credential for {@code host}. */
  public OciRegistry(String host, boolean plainHttp, RegistryAuth auth) {
    this(host, plainHttp, TIMEOUT, auth, Clock.systemUTC());
  }

  /**
   * {@code timeout}: how long one request may wait for the registry's answer; {@code clock}: when its tokens
   * expire.
   */
  public OciRegistry(String host, boolean plainHttp, Duration timeout, RegistryAuth auth, Clock clock) {
    this.host = host;
    this.http = new RegistryHttp(host, plainHttp, timeout, auth, clock);
    this.auth = auth;
  }

  private void beforeFirstPush(String repository) {
    if (pushedTo.add(repository)) {
      auth.beforeFirstPush(host, repository);
    }
  }

  /** Loopback registries speak plain HTTP unless told otherwise; everything else needs the explicit flag. */
  public static boolean isLoopback(String host) {
    String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.split(":")[0];
    return name.equals("localhost") || name.startsWith("127.") || name.equals("[::1]");
  }

  /** OCI tags cannot hold '+': Helm stores SemVer build metadata ({@code 1.4.0+build.7}) under '_'. */
  public static String tag(String version) {
    return version.replace('+', '_');
  }

  public String host() {
    return host;
  }

  /** The digest of {@code repository:reference}, or empty when the registry does not have it. */
  public Optional<String> manifestDigest(String repository, String reference) {
    return bodiless(repository, "HEAD", manifestUri(repository, reference), Map.of("Accept", MANIFEST_ACCEPT))
        .map(response -> response.headers().firstValue("Docker-Content-Digest").orElseThrow(
            () -> new StackpipeException("registry " + host + " sent no Docker-Content-Digest for "
                + repository + ":" + reference)));
  }

  /** The manifest of {@code repository:reference}, or empty when the registry does not have it. */
  public Optional<JsonNode> manifest(String repository, String reference) {
    return pullManifest(repository, reference).map(manifest -> {
      try {
        return JSON.readTree(manifest.bytes());
      } catch (IOException e) {
        throw new StackpipeException("registry " + host + ": unreadable manifest for " + repository + ":" + reference);
      }
    });
  }

  /**
   * The manifest's exact bytes and media type, or empty when absent. Pulled by digest, the bytes must hash to
   * it; pulled by tag, they must hash to the digest the registry announces.
   */
  public Optional<Manifest> pullManifest(String repository, String reference) {
    URI uri = manifestUri(repository, reference);
    HttpResponse<InputStream> response = http.send(repository, "GET", uri, null, Map.of("Accept", MANIFEST_ACCEPT));
    if (response.statusCode() == 404) {
      RegistryHttp.close(response);
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw http.unexpected(response);
    }
    byte[] bytes;
    try (InputStream body = response.body()) {
      bytes = body.readNBytes(4 * 1024 * 1024 + 1);
    } catch (IOException e) {
      throw new StackpipeException("registry " + host + ": manifest of " + repository + ":" + reference
          + " could not be read (" + e.getMessage() + ")");
    }
    if (bytes.length > 4 * 1024 * 1024) {
      throw new StackpipeException("registry " + host + ": manifest of " + repository + ":" + reference
          + " is over 4 MiB, the limit of the OCI distribution spec");
    }
    String digest = OciDigest.of(bytes);
    String expected = OciDigest.isDigest(reference) ? reference
        : response.headers().firstValue("Docker-Content-Digest").orElse(digest);
    if (!digest.equals(expected)) {
      throw new StackpipeException(repository + "@" + expected + ": the registry sent a manifest with digest "
          + digest + ", not the one requested: refused");
    }
    String mediaType = response.headers().firstValue("Content-Type").orElse(mediaTypeOf(bytes));
    return Optional.of(new Manifest(mediaType, bytes, digest));
  }

  /** Puts a manifest under {@code tag} (or its own digest) and returns its digest. */
  public String pushManifest(String repository, String reference, String mediaType, byte[] bytes) {
    String digest = OciDigest.of(bytes);
    beforeFirstPush(repository);
    URI uri = manifestUri(repository, reference);
    HttpResponse<InputStream> response = http.send(repository, "PUT", uri,
        HttpRequest.BodyPublishers.ofByteArray(bytes), Map.of("Content-Type", mediaType));
    if (response.statusCode() != 201) {
      throw http.unexpected(response);
    }
    RegistryHttp.close(response);
    String stored = response.headers().firstValue("Docker-Content-Digest").orElse(digest);
    if (!stored.equals(digest)) {
      throw new StackpipeException("registry " + host + " stored the manifest for " + repository + ":" + reference
          + " as " + stored + ", not as its digest " + digest);
    }
    return digest;
  }

  /**
   * Gives {@code repository:reference} the tag {@code newTag} by putting the very same manifest bytes under it:
   * the digest, and so everything pinned to it, stays the same. Returns that digest.
   */
  public String retag(String repository, String reference, String newTag) {
    Manifest manifest = pullManifest(repository, reference).orElseThrow(() -> new StackpipeException(
        "registry " + host + ": " + repository + ":" + reference + " not found, nothing to tag " + newTag));
    return pushManifest(repository, newTag, manifest.mediaType(), manifest.bytes());
  }

  /**
   * Deletes the manifest {@code digest} (and so every tag pointing to it). Registries delete by digest only.
   * Returns false when the registry does not hold it.
   */
  public boolean deleteManifest(String repository, String digest) {
    OciDigest.require(digest, "delete from " + repository);
    return bodiless(repository, "DELETE", http.uri(repository, "/manifests/" + digest), Map.of()).isPresent();
  }

  /** Every tag of {@code repository} in the registry's order; none when the repository does not exist. */
  public List<String> tags(String repository) {
    return tags(repository, TAG_PAGE);
  }

  /** Every tag, asked {@code pageSize} at a time: the registry's {@code Link} header leads to the next page. */
  public List<String> tags(String repository, int pageSize) {
    List<String> tags = new ArrayList<>();
    URI uri = http.uri(repository, "/tags/list?n=" + pageSize);
    while (uri != null) {
      HttpResponse<InputStream> response = http.send(repository, "GET", uri, null, Map.of("Accept", "application/json"));
      if (response.statusCode() == 404 && tags.isEmpty()) {
        RegistryHttp.close(response);
        return List.of();
      }
      if (response.statusCode() != 200) {
        throw http.unexpected(response);
      }
      try (InputStream body = response.body()) {
        JSON.readTree(body).path("tags").forEach(tag -> tags.add(tag.asText()));
      } catch (IOException e) {
        throw new StackpipeException("registry " + host + ": unreadable tag list of " + repository);
      }
      Matcher next = NEXT_LINK.matcher(response.headers().firstValue("Link").orElse(""));
      uri = next.find() ? uri.resolve(next.group(1)) : null;
    }
    return tags;
  }

  /** Opens a blob; reading it to its end (or closing it) refuses content that does not match {@code digest}. */
  public InputStream blob(String repository, String digest) {
    OciDigest.require(digest, "blob of " + repository);
    URI uri = http.uri(repository, "/blobs/" + digest);
    HttpResponse<InputStream> response = http.send(repository, "GET", uri, null, Map.of());
    if (response.statusCode() != 200) {
      throw http.unexpected(response);
    }
    return new VerifiedBlob(response.body(), repository + "@" + digest, digest);
  }

  /** Downloads a blob (a chart layer) to {@code target}; a blob that does not match its digest leaves no file. */
  public void pullBlob(String repository, String digest, Path target) {
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try (InputStream in = blob(repository, digest); OutputStream out = Files.newOutputStream(partial)) {
      in.transferTo(out);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(partial);
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new StackpipeException(target + ": cannot write " + repository + "@" + digest + " (" + e.getMessage() + ")");
    }
    try {
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(partial);
      throw new StackpipeException(target + ": cannot write " + repository + "@" + digest + " (" + e.getMessage() + ")");
    }
  }

  /** Whether the registry holds blob {@code digest} in {@code repository}. */
  public boolean hasBlob(String repository, String digest) {
    OciDigest.require(digest, "blob of " + repository);
    return bodiless(repository, "HEAD", http.uri(repository, "/blobs/" + digest), Map.of()).isPresent();
  }

  /** Uploads {@code content} as a blob unless the registry has it already; returns its digest. */
  public String pushBlob(String repository, byte[] content) {
    return pushBlob(repository, OciDigest.of(content), HttpRequest.BodyPublishers.ofByteArray(content));
  }

  /** Uploads a file as a blob unless the registry has it already; returns its digest. */
  public String pushBlob(String repository, Path file) {
    try {
      return pushBlob(repository, OciDigest.of(file), HttpRequest.BodyPublishers.ofFile(file));
    } catch (java.io.FileNotFoundException e) {
      throw new StackpipeException(file + ": cannot be read (no such file)");
    }
  }

  // HEAD to skip what is there, POST to open an upload, one monolithic PUT ?digest= to finish it.
  private String pushBlob(String repository, String digest, BodyPublisher content) {
    beforeFirstPush(repository);
    if (hasBlob(repository, digest)) {
      return digest;
    }
    URI start = http.uri(repository, "/blobs/uploads/");
    HttpResponse<InputStream> opened = http.send(repository, "POST", start, null, Map.of());
    RegistryHttp.close(opened);
    String location = opened.headers().firstValue("Location").orElse(null);
    if (opened.statusCode() != 202 || location == null) {
      throw http.unexpected(opened);
    }
    URI upload = start.resolve(location);
    URI finish = URI.create(upload + (upload.getRawQuery() == null ? "?" : "&") + "digest="
        + URLEncoder.encode(digest, StandardCharsets.UTF_8));
    HttpResponse<InputStream> put = http.send(repository, "PUT", finish, content,
        Map.of("Content-Type", "application/octet-stream"));
    if (put.statusCode() != 201) {
      throw http.unexpected(put);
    }
    RegistryHttp.close(put);
    return digest;
  }

  /** A request whose answer is only its status: the response on success, empty on 404, else a refusal. */
  private Optional<HttpResponse<InputStream>> bodiless(String repository, String method, URI uri,
      Map<String, String> headers) {
    HttpResponse<InputStream> response = http.send(repository, method, uri, null, headers);
    RegistryHttp.close(response);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() / 100 != 2) {
      throw http.unexpected(response);
    }
    return Optional.of(response);
  }

  private URI manifestUri(String repository, String reference) {
    return http.uri(repository, "/manifests/" + (OciDigest.isDigest(reference) ? reference : tag(reference)));
  }

  private static String mediaTypeOf(byte[] manifest) {
    try {
      return JSON.readTree(manifest).path("mediaType").asText("application/vnd.oci.image.manifest.v1+json");
    } catch (IOException e) {
      return "application/vnd.oci.image.manifest.v1+json";
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort: the refusal that brought us here matters more
    }
  }
}
