package io.stackpipe.chart;

import io.stackpipe.StackpipeException;
import io.stackpipe.registry.OciRegistry;
import io.stackpipe.registry.auth.RegistryAuth;
import java.net.URI;
import java.util.regex.Pattern;

/** A push target {@code oci://host[:port]/path}: the chart goes to repository {@code path/<chart name>}. */
public record OciChartTarget(String host, String path) {

  private static final Pattern PATH = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");

  public static OciChartTarget parse(String target) {
    if (target == null || !target.startsWith("oci://")) {
      throw new StackpipeException("push target '" + target + "' must start with oci:// (e.g. oci://registry.example.com/charts)");
    }
    String rest = target.substring("oci://".length()).replaceAll("/+$", "");
    int slash = rest.indexOf('/');
    String host = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    if (host.isEmpty() || !(path.isEmpty() || PATH.matcher(path).matches())) {
      throw new StackpipeException("push target '" + target + "' is not oci://host[:port]/lowercase/path");
    }
    return new OciChartTarget(host, path);
  }

  /** The repository a chart named {@code chart} lands in. */
  public String repository(String chart) {
    return path.isEmpty() ? chart : path + "/" + chart;
  }

  public URI uri() {
    return URI.create("oci://" + host + (path.isEmpty() ? "" : "/" + path));
  }

  /** A client of this target's registry, answering its challenges with {@code auth}'s credential. */
  public OciRegistry registry(boolean plainHttp, RegistryAuth auth) {
    return new OciRegistry(host, plainHttp || OciRegistry.isLoopback(host), auth);
  }

  @Override
  public String toString() {
    return uri().toString();
  }
}
