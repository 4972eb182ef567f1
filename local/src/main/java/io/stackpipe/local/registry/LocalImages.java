package io.stackpipe.local.registry;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import io.stackpipe.base.FileTrees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds small real images (FROM scratch, one file layer) with jib-core and pushes them to a registry. */
public final class LocalImages {

  private LocalImages() {
  }

  /**
   * Pushes {@code host/repository:tag} holding one file with the given content, and returns its manifest
   * digest. Jib builds reproducibly, so the same content always yields the same digest.
   */
  public static String push(String host, String repository, String tag, String content) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("stackpipe-image-");
      Path file = dir.resolve("app.txt");
      Files.writeString(file, content, StandardCharsets.UTF_8);
      var container = Jib.fromScratch()
          .addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
          .setEntrypoint("/app/app.txt")
          .containerize(Containerizer
              .to(RegistryImage.named(ImageReference.parse(host + "/" + repository + ":" + tag)))
              .setAllowInsecureRegistries(true)
              .setOfflineMode(false));
      return container.getDigest().toString();
    } catch (Exception e) {
      throw new IllegalStateException("could not push test image " + host + "/" + repository + ":" + tag, e);
    } finally {
      if (dir != null) {
        FileTrees.delete(dir);
      }
    }
  }
}
