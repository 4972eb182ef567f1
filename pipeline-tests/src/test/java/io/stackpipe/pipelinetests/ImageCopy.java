package io.stackpipe.pipelinetests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An image copied from the tests' anonymous registry into a private one by the engine's own client, blobs and the
 * manifest's exact bytes, so the copy has the original's digest. This is how the example images (built once per
 * JVM) become private without being built again.
 */
final class ImageCopy {

  private ImageCopy() {
  }

  /** Copies {@code reference} (host/repository:tag, anonymous) to {@code target} (host/repository:tag); its digest. */
  static String copy(String reference, String target, RegistryAuth auth) {
    Ref from = Ref.parse(reference);
    Ref to = Ref.parse(target);
    OciRegistry source = new OciRegistry(from.host(), true);
    OciRegistry destination = new OciRegistry(to.host(), true, auth);
    OciRegistry.Manifest manifest = source.pullManifest(from.repository(), from.tag()).orElseThrow(
        () -> new IllegalStateException("no image " + reference));
    Path blobs = null;
    try {
      blobs = Files.createTempDirectory("stackpipe-image-copy-");
      JsonNode json = new ObjectMapper().readTree(manifest.bytes());
      for (JsonNode blob : json.path("layers")) {
        copyBlob(source, from, destination, to, blob.path("digest").asText(), blobs);
      }
      copyBlob(source, from, destination, to, json.path("config").path("digest").asText(), blobs);
      return destination.pushManifest(to.repository(), to.tag(), manifest.mediaType(), manifest.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (blobs != null) {
        io.stackpipe.base.FileTrees.deleteQuietly(blobs);
      }
    }
  }

  private static void copyBlob(OciRegistry source, Ref from, OciRegistry destination, Ref to, String digest,
      Path blobs) {
    if (!destination.hasBlob(to.repository(), digest)) {
      Path file = blobs.resolve(digest.replace(':', '-'));
      source.pullBlob(from.repository(), digest, file);
      destination.pushBlob(to.repository(), file);
    }
  }

  private record Ref(String host, String repository, String tag) {
    static Ref parse(String reference) {
      int slash = reference.indexOf('/');
      int colon = reference.lastIndexOf(':');
      return new Ref(reference.substring(0, slash), reference.substring(slash + 1, colon),
          reference.substring(colon + 1));
    }
  }
}
