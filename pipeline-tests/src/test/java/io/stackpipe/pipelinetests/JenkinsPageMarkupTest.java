package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/**
 * The plugin page's Jelly (which CI cannot render: no Jenkins here) read as XML: nothing a
 * {@code script-src 'self'} policy refuses, nothing put in unescaped, and the data-* contract that its adjunct
 * script reads — the contract {@link JenkinsPageBrowserTest} runs that script on.
 */
class JenkinsPageMarkupTest {

  static final Path PAGE = Path.of(System.getProperty("stackpipe.repo.root", ".."))
      .resolve("jenkins/src/main/resources/io/stackpipe/jenkins/StackpipePage");

  @Test
  void theJellyIsEscapedByDefaultWithNoInlineScriptHandlerOrRawOutput() throws Exception {
    String jelly = Files.readString(PAGE.resolve("index.jelly"));
    assertThat(jelly).startsWith("<?jelly escape-by-default='true'?>");
    Document doc = parse(PAGE.resolve("index.jelly"));
    List<String> refused = new ArrayList<>();
    NodeList all = doc.getElementsByTagName("*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (e.getTagName().equals("script") || e.getTagName().equals("j:out") || e.getTagName().equals("st:out")) {
        refused.add("<" + e.getTagName() + ">");
      }
      NamedNodeMap attributes = e.getAttributes();
      for (int a = 0; a < attributes.getLength(); a++) {
        String name = attributes.item(a).getNodeName();
        String value = attributes.item(a).getNodeValue();
        if (name.startsWith("on") || name.equals("style") || value.strip().toLowerCase().startsWith("javascript:")) {
          refused.add(e.getTagName() + " " + name + "=\"" + value + "\"");
        }
      }
    }
    assertThat(refused).isEmpty();
    assertThat(jelly).contains("<st:adjunct includes=\"io.stackpipe.jenkins.StackpipePage.page\"/>");
    assertThat(PAGE.resolve("page.js")).isRegularFile();
    assertThat(PAGE.resolve("page.css")).isRegularFile();
  }

  @Test
  void theJellyCarriesWhatTheScriptReads() throws IOException {
    String jelly = Files.readString(PAGE.resolve("index.jelly"));
    String script = Files.readString(PAGE.resolve("page.js"));
    for (String hook : List.of(".sp-status", "tbody.sp-stack", "button.sp-expand", "input[data-filter]",
        "time[datetime]", "form[data-confirm]", "#sp-count", "form.sp-filters", "data-owner", "data-stack",
        "data-services", "data-stack-type", "data-server-filter", "input[name=confirm]", "input[name=confirmed]")) {
      assertThat(script).as("page.js reads " + hook).contains(hook);
    }
    assertThat(jelly).contains("class=\"sp-status\"", "<tbody class=\"sp-stack\" data-owner=\"${s.owner}\"",
        "data-stack=\"${s.name}\"", "data-services=\"${s.serviceNames}\"", "sp-expand\"", "aria-controls=\"${s.id}\"",
        "id=\"${s.id}\" hidden=\"hidden\"", "data-filter=\"owner\"", "data-filter=\"stack\"", "data-filter=\"service\"",
        "<output id=\"sp-count\"", "class=\"sp-filters\"", "data-server-filter=\"true\"", "<time datetime=",
        "data-confirm=\"true\"", "data-stack-type=\"${s.type}\"", "name=\"confirm\"", "name=\"confirmed\"");
  }

  static Document parse(Path jelly) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(jelly.toFile());
  }
}
