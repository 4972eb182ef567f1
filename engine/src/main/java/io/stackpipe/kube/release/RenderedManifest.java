package io.stackpipe.kube.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackpipe.kube.KubeException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.CoreScalarResolver;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.Schema;

/**
 * A manifest as {@code helm template} prints it ({@code ---}, {@code # Source: path}, one object each), split into
 * {@link ManifestObject}s. Hooks (annotation {@code helm.sh/hook}) and CustomResourceDefinitions are kept apart:
 * the fast release path hands charts with either to Helm itself.
 *
 * <p>YAML is read as Helm reads it (Go's YAML 1.1): {@code 0644} is octal, {@code yes}/{@code off} are booleans.
 */
public final class RenderedManifest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Tag OCTAL = new Tag("tag:stackpipe,2026:yaml11-octal");
  private static final Tag BOOL11 = new Tag("tag:stackpipe,2026:yaml11-bool");
  private static final Pattern OCTAL_PATTERN = Pattern.compile("^[-+]?0[0-7]+$");
  private static final Pattern BOOL11_PATTERN =
      Pattern.compile("^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$");

  private final List<ManifestObject> objects;
  private final List<ManifestObject> hooks;

  private RenderedManifest(List<ManifestObject> objects, List<ManifestObject> hooks) {
    this.objects = List.copyOf(objects);
    this.hooks = List.copyOf(hooks);
  }

  /** Parses {@code helm template}'s output, or a release's stored manifest (same format, no hooks). */
  public static RenderedManifest parse(String rendered) {
    List<ManifestObject> objects = new ArrayList<>();
    List<ManifestObject> hooks = new ArrayList<>();
    Load load = goYaml();
    for (String chunk : rendered.split("(?m)^---[ \\t]*$")) {
      String text = chunk.strip();
      if (text.isEmpty()) {
        continue;
      }
      String source = "";
      if (text.startsWith("# Source: ")) {
        int end = text.indexOf('\n');
        source = (end < 0 ? text : text.substring(0, end)).substring("# Source: ".length()).strip();
        text = end < 0 ? "" : text.substring(end + 1);
      }
      Object loaded;
      try {
        loaded = load.loadFromString(text);
      } catch (RuntimeException e) {
        throw new KubeException("rendered manifest " + source + " is not YAML: " + e.getMessage().lines().findFirst()
            .orElse(""), e);
      }
      if (loaded == null) {
        continue; // a template that rendered only comments
      }
      if (!(loaded instanceof Map)) {
        throw new KubeException("rendered manifest " + source + " is not a Kubernetes object");
      }
      ObjectNode body = JSON.valueToTree(loaded);
      JsonNode metadata = body.path("metadata");
      String apiVersion = body.path("apiVersion").asText("");
      String kind = body.path("kind").asText("");
      String name = metadata.path("name").asText("");
      if (apiVersion.isEmpty() || kind.isEmpty() || name.isEmpty()) {
        throw new KubeException("rendered manifest " + source + " has an object without apiVersion, kind or"
            + " metadata.name");
      }
      String namespace = metadata.hasNonNull("namespace") ? metadata.get("namespace").asText() : null;
      ManifestObject object = new ManifestObject(source, text, body, apiVersion, kind, name, namespace);
      (metadata.path("annotations").has("helm.sh/hook") ? hooks : objects).add(object);
    }
    return new RenderedManifest(objects, hooks);
  }

  /** A YAML loader that reads scalars as Helm (Go) does. */
  static Load goYaml() {
    return new Load(LoadSettings.builder().setSchema(new GoYamlSchema()).setAllowDuplicateKeys(false).build());
  }

  /** The objects a release installs, in the order Helm rendered them. */
  public List<ManifestObject> objects() {
    return objects;
  }

  public List<ManifestObject> hooks() {
    return hooks;
  }

  public boolean hasCustomResourceDefinitions() {
    return objects.stream().anyMatch(o -> o.kind().equals("CustomResourceDefinition"));
  }

  /** The release's manifest as Helm stores it: {@code ---}, {@code # Source:} and the YAML of each object. */
  public String releaseManifest() {
    StringBuilder manifest = new StringBuilder();
    for (ManifestObject object : objects) {
      manifest.append("---\n# Source: ").append(object.source()).append('\n').append(object.text()).append('\n');
    }
    return manifest.toString();
  }

  /** Go's YAML 1.1 scalars on top of the YAML 1.2 core schema. */
  private static final class GoYamlSchema implements Schema {
    private final CoreSchema core = new CoreSchema();

    @Override
    public ScalarResolver getScalarResolver() {
      return new CoreScalarResolver(false) {
        @Override
        protected void addImplicitResolvers() {
          addImplicitResolver(OCTAL, OCTAL_PATTERN, "-+0");
          addImplicitResolver(BOOL11, BOOL11_PATTERN, "yYnNoO");
          super.addImplicitResolvers();
        }
      };
    }

    @Override
    public Map<Tag, ConstructNode> getSchemaTagConstructors() {
      Map<Tag, ConstructNode> constructors = new java.util.HashMap<>(core.getSchemaTagConstructors());
      constructors.put(OCTAL, node -> {
        String value = ((ScalarNode) node).getValue();
        BigInteger parsed = new BigInteger(value.replaceFirst("^([-+]?)0", "$1"), 8);
        return parsed.bitLength() < 63 ? (Object) parsed.longValue() : parsed;
      });
      constructors.put(BOOL11, (Node node) -> {
        String value = ((ScalarNode) node).getValue().toLowerCase(java.util.Locale.ROOT);
        return value.equals("y") || value.equals("yes") || value.equals("on");
      });
      return constructors;
    }
  }
}
