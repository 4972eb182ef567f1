package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The plugin's packaging, read from {@code jenkins/pom.xml} (CI cannot run maven-hpi-plugin). maven-hpi-plugin leaves
 * out of the .hpi every library that reaches the plugin through Jenkins core or a plugin dependency, and
 * {@code maskClasses} hides core's and those plugins' copies: a masked library is therefore only visible if the POM
 * declares it itself. Without that, a real controller failed every chart build with {@code NoClassDefFoundError:
 * org/apache/commons/compress/archivers/tar/TarArchiveInputStream}.
 */
class JenkinsPluginPomTest {

  private static final Path POM = Path.of(System.getProperty("stackpipe.repo.root", ".."), "jenkins/pom.xml");

  @Test
  void everyMaskedPackageComesFromADirectDependencyAtTheVersionTheEngineRunsWith() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(POM.toFile());
    List<String> masked = Arrays.stream(text(pom, "maskClasses").trim().split("\\s+")).toList();
    assertThat(masked).isNotEmpty();
    Map<String, String> managed = new HashMap<>();
    List<String> direct = new ArrayList<>();
    NodeList dependencies = pom.getElementsByTagName("dependency");
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element dependency = (Element) dependencies.item(i);
      String coordinates = child(dependency, "groupId") + ":" + child(dependency, "artifactId");
      Node section = dependency.getParentNode().getParentNode();
      if (section.getNodeName().equals("dependencyManagement")) {
        managed.put(coordinates, child(dependency, "version"));
      } else if (section.getNodeName().equals("project")) {
        direct.add(coordinates);
      }
    }
    for (String prefix : masked) {
      // The library the engine is built and tested with (this module's classpath) provides the package.
      String[] library = libraryOf(prefix.replace('.', '/'));
      String coordinates = library[0];
      assertThat(direct).as("jenkins/pom.xml declares %s, which provides the masked %s", coordinates, prefix)
          .contains(coordinates);
      assertThat(managed.get(coordinates)).as("jenkins/pom.xml pins %s to the engine's version", coordinates)
          .isEqualTo(library[1]);
    }
  }

  /** {groupId:artifactId, version} of the jar that holds {@code packagePath} on this test's classpath. */
  private static String[] libraryOf(String packagePath) throws IOException {
    URL url = JenkinsPluginPomTest.class.getClassLoader().getResource(packagePath);
    assertThat(url).as("a library providing %s on the engine's classpath", packagePath).isNotNull();
    try (JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile()) {
      JarEntry entry = jar.stream().filter(e -> e.getName().startsWith("META-INF/maven/")
          && e.getName().endsWith("/pom.properties")).findFirst().orElseThrow();
      Properties properties = new Properties();
      try (InputStream in = jar.getInputStream(entry)) {
        properties.load(in);
      }
      return new String[] {properties.getProperty("groupId") + ":" + properties.getProperty("artifactId"),
          properties.getProperty("version")};
    }
  }

  private static String text(Document document, String tag) {
    NodeList nodes = document.getElementsByTagName(tag);
    assertThat(nodes.getLength()).as("<%s> in %s", tag, POM).isEqualTo(1);
    return nodes.item(0).getTextContent();
  }

  private static String child(Element element, String tag) {
    NodeList nodes = element.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
  }
}
