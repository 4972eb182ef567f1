package io.stackpipe.umbrella;

import io.stackpipe.StackpipeException;
import io.stackpipe.registry.auth.RegistryAuth;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The umbrella a manifest argument names, in any of its forms: {@code oci://host/path/platform:1.2.0} (or
 * {@code @sha256:…}), a version, tag or digest of the umbrella in the charts location ({@code 1.2.0}, {@code l3}),
 * or a list of service charts ({@code orders=1.4.0,billing=2.0.1}) assembled into an umbrella here.
 */
public final class UmbrellaResolve {

  private final String manifest;
  private String charts;
  private String name = UmbrellaBuild.DEFAULT_NAME;
  private boolean plainHttp;
  private RegistryAuth auth = RegistryAuth.anonymous();
  private boolean push;
  private Path outputDirectory;
  private Consumer<String> progress = line -> { };

  private UmbrellaResolve(String manifest) {
    this.manifest = manifest;
  }

  public static UmbrellaResolve of(String manifest) {
    return new UmbrellaResolve(manifest);
  }

  /** {@code oci://host/path} of the service charts and umbrellas; needed by every form but a full oci:// reference. */
  public UmbrellaResolve from(String value) {
    this.charts = value;
    return this;
  }

  /** The umbrella chart's name (default {@value UmbrellaBuild#DEFAULT_NAME}). */
  public UmbrellaResolve withName(String value) {
    this.name = value;
    return this;
  }

  /** Where registry credentials come from (default: anonymous). */
  public UmbrellaResolve withRegistryAuth(RegistryAuth value) {
    this.auth = value;
    return this;
  }

  public UmbrellaResolve plainHttp(boolean value) {
    this.plainHttp = value;
    return this;
  }

  /** An umbrella assembled from a list is pushed too (an immutable version). */
  public UmbrellaResolve push(boolean value) {
    this.push = value;
    return this;
  }

  public UmbrellaResolve withOutputDirectory(Path value) {
    this.outputDirectory = value;
    return this;
  }

  public UmbrellaResolve withProgress(Consumer<String> value) {
    this.progress = value;
    return this;
  }

  public Umbrella call() {
    if (manifest == null || manifest.isBlank()) {
      throw StackpipeException.ofField("manifest", "is required");
    }
    String text = manifest.strip();
    if (text.startsWith("oci://")) {
      UmbrellaPull pull = UmbrellaPull.of(text).withOutputDirectory(outputDirectory).withProgress(progress)
          .withRegistryAuth(auth);
      return (plainHttp ? pull.plainHttp() : pull).call();
    }
    if (charts == null) {
      throw StackpipeException.ofField("charts", "is required to find manifest '" + text
          + "' (or give a full oci:// reference)");
    }
    if (text.contains("=")) {
      UmbrellaBuild build = UmbrellaBuild.of(ServiceVersion.parseList(text, "manifest")).from(charts).withName(name)
          .withOutputDirectory(outputDirectory).withProgress(progress).withRegistryAuth(auth);
      if (plainHttp) {
        build.plainHttp();
      }
      if (push) {
        build.push();
      }
      return build.call();
    }
    UmbrellaPull pull = UmbrellaPull.of(charts, name, text).withOutputDirectory(outputDirectory)
        .withProgress(progress).withRegistryAuth(auth);
    return (plainHttp ? pull.plainHttp() : pull).call();
  }
}
