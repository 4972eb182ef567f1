package io.stackpipe.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoImagesTest {

  @Test
  void buildsAStaticBinaryFromScratchReproducibly(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("go.mod"), "module example.com/hello\n\ngo 1.22\n");
    Files.writeString(dir.resolve("main.go"), "package main\n\nfunc main() { println(\"hello\") }\n");
    try (LocalRegistry registry = LocalRegistry.start()) {
      String first = GoImages.push(dir, "hello", registry.host() + "/t/hello:1");
      String second = GoImages.push(dir, "hello", registry.host() + "/t/hello:2");

      assertThat(first).startsWith("sha256:").isEqualTo(second);
      HttpResponse<String> config = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(registry.url() + "/v2/t/hello/manifests/1"))
          .header("Accept", "application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json")
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(config.statusCode()).isEqualTo(200);
      assertThat(config.body()).contains("\"layers\"");
    }
  }

  @Test
  void aCompileErrorFailsInOneLineNamingTheSource(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("go.mod"), "module example.com/broken\n\ngo 1.22\n");
    Files.writeString(dir.resolve("main.go"), "package main\n\nfunc main() { nope() }\n");

    assertThatThrownBy(() -> GoImages.push(dir, "broken", "127.0.0.1:1/t/broken:1"))
        .hasMessage("cannot push image 127.0.0.1:1/t/broken:1: go build in " + dir + " failed: ./main.go:3:15: "
            + "undefined: nope");
  }
}
