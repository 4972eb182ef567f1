package io.stackpipe.chart;

import io.stackpipe.HelmRuntime;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.stackpipe.StackpipeException;
import io.stackpipe.base.Messages;
import io.stackpipe.profile.Profile;
import io.stackpipe.profile.SecretsStandIn;
import io.stackpipe.yaml.SafeYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a chart with one profile's values (values.yaml ← the image pin ← profiles/p/values.yaml ← a
 * placeholder stand-in for profiles/p/secrets.yaml) and checks that every document is a Kubernetes object.
 */
final class ProfileRenderer {

  /** The name under which the chart's own values.yaml (minikube defaults) is rendered. */
  static final String DEFAULTS = "(defaults)";
  private static final Pattern SOURCE = Pattern.compile("(?m)^# Source: (\\S+)\\s*$");
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  // Helm's template errors: "template: orders/templates/cm.yaml:7:20: executing ... : <reason>"
  private static final Pattern TEMPLATE_ERROR = Pattern.compile("template: ([^:\\s]+):(\\d+)(?::\\d+)?: (.*)");
  // Helm's failures from `required`/`fail`: "execution error at (orders/templates/cm.yaml:7:10): <reason>"
  private static final Pattern EXECUTION_ERROR = Pattern.compile("execution error at \\(([^:\\s]+):(\\d+)(?::\\d+)?\\): (.*)");
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

  private final Path chartDir;
  private final String releaseName;
  private final Path imagePin;
  private final Path workDir;

  /**
   * {@code imagePin}: a values file with the pinned image, or null; it sits between defaults and profile.
   * {@code workDir}: the build's private folder, where secrets stand-ins are written.
   */
  ProfileRenderer(Path chartDir, String releaseName, Path imagePin, Path workDir) {
    this.chartDir = chartDir;
    this.releaseName = releaseName;
    this.imagePin = imagePin;
    this.workDir = workDir;
  }

  RenderedProfile render(Optional<Profile> profile) {
    String name = profile.map(Profile::name).orElse(DEFAULTS);
    var template = new Helm(chartDir).template().withName(releaseName).withNamespace("stackpipe-render");
    if (imagePin != null) {
      template.withValuesFile(imagePin);
    }
    if (profile.isPresent()) {
      profile.get().valuesFile().ifPresent(template::withValuesFile);
      if (profile.get().secrets().isPresent()) {
        template.withValuesFile(writeStandIn(profile.get()));
      }
    }
    String manifests;
    try {
      manifests = HelmRuntime.call(template::call);
    } catch (RuntimeException e) {
      throw new StackpipeException("profile " + name + ": " + describeHelmError(e));
    }
    // helm-java answers null, not "", when nothing renders (a chart without templates/, an umbrella's defaults).
    return new RenderedProfile(name, manifests == null ? List.of() : check(name, manifests));
  }


  private Path writeStandIn(Profile profile) {
    Map<String, Object> values = SecretsStandIn.of(profile.secrets().orElseThrow());
    try {
      Path file = workDir.resolve("secrets-stand-in-" + profile.name() + ".yaml");
      Files.writeString(file, SafeYaml.dump(values));
      return file;
    } catch (IOException e) {
      throw new StackpipeException("profile " + profile.name() + ": cannot write the secrets stand-in ("
          + e.getMessage() + ")");
    }
  }

  private static List<String> check(String profile, String manifests) {
    List<String> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(manifests)) {
      Matcher source = SOURCE.matcher(document);
      String template = source.find() ? source.group(1) : "(unknown template)";
      String where = "profile " + profile + ": " + template;
      Object parsed = SafeYaml.loadRendered(document, where);
      if (parsed == null) {
        continue;
      }
      if (!(parsed instanceof Map<?, ?> object)) {
        throw new StackpipeException(where + ": rendered a document that is not a Kubernetes object");
      }
      for (String field : List.of("apiVersion", "kind")) {
        if (!(object.get(field) instanceof String value) || value.isBlank()) {
          throw new StackpipeException(where + ": rendered object has no " + field);
        }
      }
      if (!(object.get("metadata") instanceof Map<?, ?> metadata)
          || !(metadata.get("name") instanceof String objectName) || objectName.isBlank()) {
        throw new StackpipeException(where + ": rendered " + object.get("kind") + " has no metadata.name");
      }
      String id = object.get("kind") + "/" + objectName;
      try {
        // From the parsed map: parsing the YAML a second time would double the cost of a render.
        if (!(KUBERNETES.convertValue(object, KubernetesResource.class) instanceof HasMetadata)) {
          throw new StackpipeException(where + ": " + id + " is not a Kubernetes object");
        }
      } catch (RuntimeException e) {
        if (e instanceof StackpipeException) {
          throw e;
        }
        throw new StackpipeException(where + ": " + id + " does not match the Kubernetes schema ("
            + Messages.firstLine(e.getMessage(), "unknown error") + ")");
      }
      objects.add(id);
    }
    return objects;
  }

  /** Helm's message reduced to "template file line N: reason" (secrets are placeholders while rendering). */
  static String describeHelmError(RuntimeException e) {
    String message = Messages.firstLine(e.getMessage(), "unknown error");
    Matcher execution = EXECUTION_ERROR.matcher(message);
    if (execution.find()) {
      return execution.group(1) + " line " + execution.group(2) + ": " + execution.group(3);
    }
    Matcher error = TEMPLATE_ERROR.matcher(message);
    if (error.find()) {
      String reason = error.group(3);
      int lastColon = reason.lastIndexOf(": ");
      if (reason.startsWith("executing") && lastColon > 0) {
        reason = reason.substring(lastColon + 2);
      }
      return error.group(1) + " line " + error.group(2) + ": " + reason;
    }
    return message;
  }

}
