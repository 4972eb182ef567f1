package io.stackpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.Secret;
import io.stackpipe.base.FileTrees;
import io.stackpipe.kube.PullSecrets;
import io.stackpipe.local.kube.ControlPlane;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import io.stackpipe.registry.auth.RegistryCredential;
import io.stackpipe.testsupport.TestFiles;
import io.stackpipe.testsupport.kube.ExampleImages;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithNode;
import io.stackpipe.testsupport.registry.PrivateRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI end to end against private registries, with credentials only from the process's Docker config:
 * charts in a Bearer registry (token server, scopes), the service's image in a Basic one. {@code chart build --push},
 * {@code stack create}, {@code deploy} of the chart from the registry, whose pods on the node pull the image through
 * the stack's pull secret — once with {@code auths} in {@code $DOCKER_CONFIG/config.json}, once with
 * {@code credHelpers}/{@code credsStore} running {@code docker-credential-NAME} scripts found on the {@code PATH}.
 * HOME is the test's folder, so no Docker or Helm config of this machine takes part. Both registries' passwords are
 * canaries: no output, and no file but the ones the test wrote itself, may hold them.
 */
@WithNode
class PrivateRegistriesCliIT {

  static PrivateRegistry charts;
  static PrivateRegistry images;
  static String exampleImage;

  @BeforeAll
  static void registries(LocalRegistry registry, ControlPlane plane) {
    charts = PrivateRegistry.bearer();
    images = PrivateRegistry.basic();
    plane.trustRegistry(images.host());
    exampleImage = ExampleImages.image(registry, "orders");
  }

  @AfterAll
  static void stop() {
    try {
      charts.close();
    } finally {
      images.close();
    }
  }

  @Test
  void aDockerConfigFilesAuths(@TempDir Path work, @KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) throws Exception {
    Path docker = Files.createDirectories(work.resolve("docker"));
    Files.writeString(docker.resolve("config.json"), "{\"auths\": {"
        + "\"" + charts.host() + "\": {\"auth\": \"" + basic(charts) + "\"}, "
        + "\"https://" + images.host() + "/v1/\": {\"username\": \"" + images.user() + "\", \"password\": \""
        + images.password() + "\"}}}");

    endToEnd(work, kubeconfig, ns, admin, "docker", Map.of("DOCKER_CONFIG", docker.toString()),
        Set.of("docker/config.json"));
  }

  @Test
  void credentialHelpersOnThePath(@TempDir Path work, @KubeConfigPath Path kubeconfig, @TestNamespace String ns,
      KubernetesClient admin) throws Exception {
    Path docker = Files.createDirectories(work.resolve("docker"));
    // The chart registry has a helper of its own; the store answers for every other host (the image registry).
    Files.writeString(docker.resolve("config.json"),
        "{\"credsStore\": \"store\", \"credHelpers\": {\"" + charts.host() + "\": \"team\"}}");
    Path helpers = Files.createDirectories(work.resolve("helpers"));
    helper(helpers.resolve("docker-credential-team"), charts);
    helper(helpers.resolve("docker-credential-store"), images);

    endToEnd(work, kubeconfig, ns, admin, "helper", Map.of("DOCKER_CONFIG", docker.toString(),
        "PATH", helpers + ":" + System.getenv("PATH")),
        Set.of("helpers/docker-credential-team", "helpers/docker-credential-store"));
  }

  void endToEnd(Path work, Path kubeconfig, String ns, KubernetesClient admin, String name,
      Map<String, String> credentials, Set<String> ownFiles) throws Exception {
    String image = images.host() + "/services/orders-" + name + ":1.0.0";
    copyImage(exampleImage, image);
    Path orders = TestFiles.copyTree(CliRun.repoRoot().resolve("examples/services/orders"), work.resolve("orders"));
    String chartsUrl = charts.ociUrl("charts-" + name);
    List<String> outputs = new ArrayList<>();
    String prefix = ns.substring(ns.lastIndexOf('-') + 1) + "-";
    List<String> installation = List.of("--kubeconfig", kubeconfig.toString(), "--installation", ns,
        "--namespace-prefix", prefix);
    String stack = "priv-" + name;
    try {
      Run build = stackpipe(work, credentials, outputs, "chart", "build", orders.toString(), "--version", "1.0.0",
          "--image", image, "--push", chartsUrl, "--out", work.resolve("out").toString());
      assertThat(build.out()).startsWith("orders 1.0.0 published to " + chartsUrl + "/orders:1.0.0");

      stackpipe(work, credentials, outputs, concat(List.of("stack", "create", stack, "--owner", "qa", "--type",
          "persistent"), installation));
      Run deploy = stackpipe(work, credentials, outputs, concat(List.of("deploy", chartsUrl + "/orders:1.0.0",
          "--profile", "ephemeral", "--stack", stack, "--timeout", "3m"), installation));
      assertThat(deploy.out() + deploy.err()).contains("pull secret " + PullSecrets.NAME + " for " + images.host());

      String namespace = prefix + stack;
      List<Pod> pods = admin.pods().inNamespace(namespace).list().getItems();
      assertThat(pods).isNotEmpty().allSatisfy(pod -> {
        assertThat(pod.getSpec().getContainers()).extracting("image").allMatch(i -> ((String) i).startsWith(
            images.host() + "/services/orders-" + name + "@sha256:"));
        assertThat(pod.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready")
            && c.getStatus().equals("True"));
      });
      JsonNode pullSecret = new ObjectMapper().readTree(Base64.getDecoder().decode(admin.secrets()
          .inNamespace(namespace).withName(PullSecrets.NAME).get().getData().get(".dockerconfigjson")));
      assertThat(pullSecret.path("auths").fieldNames()).toIterable().containsExactly(images.host());
    } finally {
      stackpipe(work, credentials, outputs, concat(List.of("stack", "destroy", stack, "--confirm", stack, "--wait"),
          installation));
    }

    assertThat(outputs).noneMatch(this::holdsACanary);
    try (Stream<Path> all = Files.walk(work)) {
      assertThat(all.filter(Files::isRegularFile).filter(f -> holdsACanary(read(f))).map(work::relativize)
          .map(Path::toString)).containsExactlyInAnyOrderElementsOf(ownFiles);
    }
  }

  boolean holdsACanary(String text) {
    return text.contains(charts.password()) || text.contains(images.password());
  }

  record Run(String out, String err) {
  }

  /** bin/stackpipe in a process of its own, its environment the credentials' only source besides HOME (empty). */
  static Run stackpipe(Path work, Map<String, String> credentials, List<String> outputs, List<String> args)
      throws IOException, InterruptedException {
    return stackpipe(work, credentials, outputs, args.toArray(String[]::new));
  }

  static Run stackpipe(Path work, Map<String, String> credentials, List<String> outputs, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(CliRun.repoRoot().resolve("bin/stackpipe").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("DOCKER_") || k.startsWith("HELM_") || k.startsWith("AWS_"));
    pb.environment().put("HOME", work.toString());
    pb.environment().put("STACKPIPE_TMPDIR", work.resolve("tmp").toString());
    pb.environment().put("SOPS_AGE_KEY_FILE",
        CliRun.repoRoot().resolve("examples/keys/demo-age-key.txt").toString());
    pb.environment().putAll(credentials);
    Path out = Files.createTempFile("stackpipe-cli-out-", ".txt");
    Path err = Files.createTempFile("stackpipe-cli-err-", ".txt");
    try {
      Process process = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
      }
      Run run = new Run(Files.readString(out), Files.readString(err));
      outputs.add(run.out());
      outputs.add(run.err());
      assertThat(process.exitValue()).as(String.join(" ", args) + ": " + run.err()).isZero();
      return run;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static String[] concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all.toArray(String[]::new);
  }

  static String basic(PrivateRegistry registry) {
    return Base64.getEncoder().encodeToString((registry.user() + ":" + registry.password())
        .getBytes(StandardCharsets.UTF_8));
  }

  /** A Docker credential helper answering {@code get} for the registry's host only, as Docker's protocol says. */
  static void helper(Path file, PrivateRegistry registry) throws IOException {
    Files.writeString(file, """
        #!/bin/sh
        [ "$1" = get ] || exit 1
        read -r host
        if [ "$host" = "%s" ]; then
          printf '{"ServerURL": "%%s", "Username": "%s", "Secret": "%s"}' "$host"
        else
          echo "credentials not found in native keychain"; exit 1
        fi
        """.formatted(registry.host(), registry.user(), registry.password()));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
  }

  /**
   * The anonymous example image copied into the image registry by the engine's client (as pipeline-tests'
   * ImageCopy does): blobs, then the manifest's exact bytes, so the copy keeps the digest.
   */
  static void copyImage(String reference, String target) throws IOException {
    RegistryAuth auth = RegistryAuth.of(List.of(RegistryAuth.explicit(Map.of(images.host(),
        RegistryCredential.password(images.user(),
            Secret.of(images.password()), "test")), "test")));
    OciRegistry from = new OciRegistry(reference.substring(0, reference.indexOf('/')), true);
    OciRegistry to = new OciRegistry(images.host(), true, auth);
    String source = reference.substring(reference.indexOf('/') + 1, reference.lastIndexOf(':'));
    String repository = target.substring(target.indexOf('/') + 1, target.lastIndexOf(':'));
    OciRegistry.Manifest manifest = from.pullManifest(source, reference.substring(reference.lastIndexOf(':') + 1))
        .orElseThrow();
    JsonNode json = new ObjectMapper().readTree(manifest.bytes());
    Path blobs = Files.createTempDirectory("stackpipe-image-copy-");
    try {
      List<String> digests = new ArrayList<>();
      json.path("layers").forEach(layer -> digests.add(layer.path("digest").asText()));
      digests.add(json.path("config").path("digest").asText());
      for (String digest : digests) {
        Path blob = blobs.resolve(digest.replace(':', '-'));
        from.pullBlob(source, digest, blob);
        to.pushBlob(repository, blob);
      }
      to.pushManifest(repository, target.substring(target.lastIndexOf(':') + 1), manifest.mediaType(),
          manifest.bytes());
    } finally {
      FileTrees.deleteQuietly(blobs);
    }
  }

  static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
