package io.stackpipe.testsupport.kube;

import io.stackpipe.local.registry.GoImages;
import io.stackpipe.local.registry.LocalRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The example services' images, built from their source in examples/services/NAME/app, once per test JVM. */
public final class ExampleImages {

  private static final Map<String, String> PUSHED = new ConcurrentHashMap<>();

  private ExampleImages() {
  }

  /** Pushes {@code services/NAME:test} to {@code registry} (first call) and returns its reference. */
  public static String image(LocalRegistry registry, String service) {
    return PUSHED.computeIfAbsent(registry.host() + "/" + service, key -> {
      String reference = registry.host() + "/services/" + service + ":test";
      GoImages.push(examples().resolve(service).resolve("app"), service, reference);
      return reference;
    });
  }

  public static Path examples() {
    return Path.of(System.getProperty("stackpipe.repo.root", "..")).toAbsolutePath().normalize()
        .resolve("examples/services");
  }
}
