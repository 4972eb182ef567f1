package io.stackpipe.pipelinetests;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import io.stackpipe.status.Drift;
import io.stackpipe.status.StatusHtml;
import io.stackpipe.status.StatusReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The plugin page's script ({@code page.js}, its adjunct) in Debian's headless Chromium, served with
 * {@code Content-Security-Policy: script-src 'self'} as Jenkins is moving to. CI cannot run Jenkins, so the markup
 * is what CI can produce for real: the engine's {@code StatusHtml.fragment} of a report (the data-* contract the
 * Jelly shares, {@link JenkinsPageMarkupTest}), and the Jelly's own destroy form, taken from {@code index.jelly}
 * with its expressions filled in for one stack. The script filters, expands, shows live times, and asks before a
 * destroy is posted (the browser's own dialogs here; Jenkins' {@code dialog} where the page runs in Jenkins).
 */
class JenkinsPageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String CSP = "script-src 'self'";

  static ChromeDriver browser;
  static HttpServer server;
  static URI base;
  static final Map<String, String> pages = new LinkedHashMap<>();
  static final List<String> posts = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    assertThat(CHROMEDRIVER).as("Chromium and chromedriver: run scripts/setup").isExecutable();
    byte[] script = Files.readAllBytes(JenkinsPageMarkupTest.PAGE.resolve("page.js"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/page.js")) {
        reply(exchange, 200, "text/javascript", script);
      } else if (path.equals("/destroy") && exchange.getRequestMethod().equals("POST")) {
        posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        reply(exchange, 200, "text/html; charset=utf-8",
            "<!DOCTYPE html><link rel=\"icon\" href=\"data:,\"><title>destroyed</title>".getBytes(StandardCharsets.UTF_8));
      } else if (pages.containsKey(path)) {
        reply(exchange, 200, "text/html; charset=utf-8", pages.get(path).getBytes(StandardCharsets.UTF_8));
      } else {
        reply(exchange, 404, "text/plain", new byte[0]);
      }
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    System.setProperty("SE_OFFLINE", "true");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
        "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900", "--no-first-run",
        "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build(), options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theHarnessSeesAnInlineScriptRefused() {
    pages.put("/inline.html", "<!DOCTYPE html><html><head><link rel=\"icon\" href=\"data:,\"><title>before</title>"
        + "</head><body><script>document.title='ran'</script></body></html>");
    browser.get(base.resolve("inline.html").toString());
    assertThat(browser.getTitle()).isEqualTo("before");
    assertThat(console()).anyMatch(m -> m.contains("Content Security Policy"));
  }

  @Test
  void filtersExpandsKeepsTimesLiveAndAsksBeforeEveryDestroy() throws Exception {
    Instant now = Instant.now();
    pages.put("/page.html", "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<link rel=\"icon\" href=\"data:,\"><title>Stackpipe</title></head><body>"
        + StatusHtml.fragment(report(now), 0)
        + "<section class=\"sp-status\"><h2>Actions</h2>"
        + destroyForm("pr-7", "ephemeral") + destroyForm("qa", "persistent") + destroyForm("prod", "production")
        + "</section><script src=\"/page.js\"></script></body></html>");
    console();
    browser.get(base.resolve("page.html").toString());
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(10));
    wait.until(d -> !d.findElement(By.id("sp-count")).getText().isEmpty());
    assertThat(browser.findElement(By.id("sp-count")).getText()).isEqualTo("3 of 3 stacks shown");

    // Live times: the report is an hour old ("1d23h ago" as written); the script counts from now.
    assertThat(browser.findElement(By.cssSelector("tbody[data-stack='pr-7'] time")).getText()).isEqualTo("2d ago");

    // Filter.
    WebElement owner = browser.findElement(By.id("sp-filter-owner"));
    owner.sendKeys("alice");
    assertThat(visibleStacks()).containsExactly("qa");
    assertThat(browser.findElement(By.id("sp-count")).getText()).isEqualTo("1 of 3 stacks shown");
    owner.sendKeys(org.openqa.selenium.Keys.ENTER);
    assertThat(browser.getCurrentUrl()).as("Enter does not leave a page without a server filter")
        .isEqualTo(base.resolve("page.html").toString());
    owner.clear();
    owner.sendKeys(" ");
    owner.sendKeys(org.openqa.selenium.Keys.BACK_SPACE);
    browser.findElement(By.id("sp-filter-service")).sendKeys("search");
    assertThat(visibleStacks()).containsExactly("pr-7");

    // Expand.
    WebElement expand = browser.findElement(By.cssSelector("button[aria-label='Services of pr-7']"));
    WebElement detail = browser.findElement(By.id(expand.getAttribute("aria-controls")));
    assertThat(detail.isDisplayed()).isFalse();
    expand.click();
    assertThat(expand.getAttribute("aria-expanded")).isEqualTo("true");
    assertThat(detail.isDisplayed()).isTrue();
    assertThat(detail.findElements(By.cssSelector("td.sp-drift-ahead"))).extracting(WebElement::getText)
        .contains("1.2.0", "↑ ahead");
    expand.click();
    assertThat(detail.isDisplayed()).isFalse();

    // Destroy: nothing is posted until the dialog is accepted; production needs its name typed.
    submit("pr-7");
    Alert ask = wait.until(ExpectedConditions.alertIsPresent());
    assertThat(ask.getText()).contains("Destroy ephemeral stack pr-7?");
    ask.dismiss();
    assertThat(posts).isEmpty();
    submit("qa");
    ask = wait.until(ExpectedConditions.alertIsPresent());
    assertThat(ask.getText()).contains("persistent stack is never reaped");
    ask.accept();
    wait.until(d -> d.getTitle().equals("destroyed"));
    assertThat(posts).hasSize(1);
    assertThat(form(posts.get(0))).containsEntry("stack", "qa").containsEntry("confirmed", "true")
        .containsEntry("confirm", "").containsKey("Jenkins-Crumb");

    browser.navigate().back();
    wait.until(d -> !d.findElement(By.id("sp-count")).getText().isEmpty());
    submit("prod");
    ask = wait.until(ExpectedConditions.alertIsPresent());
    assertThat(ask.getText()).contains("Destroy production stack prod?", "Type the stack's name");
    ask.dismiss();
    assertThat(posts).hasSize(1);
    submit("prod");
    ask = wait.until(ExpectedConditions.alertIsPresent());
    ask.sendKeys("prod");
    ask.accept();
    wait.until(d -> d.getTitle().equals("destroyed"));
    assertThat(posts).hasSize(2);
    assertThat(form(posts.get(1))).containsEntry("stack", "prod").containsEntry("confirm", "prod");

    browser.navigate().back();
    wait.until(d -> !d.findElement(By.id("sp-count")).getText().isEmpty());
    assertThat(console()).as("console warnings and errors (a refused script would be one)").isEmpty();
  }

  private static void submit(String stack) {
    browser.findElement(By.cssSelector("form[data-stack='" + stack + "'] button[type=submit]")).click();
  }

  private static List<String> visibleStacks() {
    return browser.findElements(By.cssSelector("tbody.sp-stack")).stream().filter(WebElement::isDisplayed)
        .map(tb -> tb.getAttribute("data-stack")).toList();
  }

  private static List<String> console() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage).toList();
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return fields;
  }

  /**
   * The destroy form exactly as {@code index.jelly} writes it, its {@code ${…}} expressions filled in for one stack
   * (an expression this test does not know fails it) and the Jenkins {@code l:icon} tag left out.
   */
  private static String destroyForm(String stack, String type) throws Exception {
    NodeList forms = JenkinsPageMarkupTest.parse(JenkinsPageMarkupTest.PAGE.resolve("index.jelly"))
        .getElementsByTagName("form");
    Element destroy = null;
    for (int i = 0; i < forms.getLength(); i++) {
      Element f = (Element) forms.item(i);
      if (f.getAttribute("action").equals("destroy")) {
        destroy = (Element) f.cloneNode(true);
      }
    }
    assertThat(destroy).as("index.jelly's destroy form").isNotNull();
    NodeList icons = destroy.getElementsByTagName("l:icon");
    for (int i = icons.getLength() - 1; i >= 0; i--) {
      Node icon = icons.item(i);
      icon.getParentNode().removeChild(icon);
    }
    StringWriter out = new StringWriter();
    var transformer = TransformerFactory.newInstance().newTransformer();
    transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
    transformer.setOutputProperty(OutputKeys.METHOD, "html");
    transformer.transform(new DOMSource(destroy), new StreamResult(out));
    Map<String, String> values = Map.of("s.name", stack, "s.type", type, "crumbField", "Jenkins-Crumb",
        "crumb", "c0ffee");
    Matcher m = Pattern.compile("\\$\\{([^}]*)}").matcher(out.toString());
    StringBuilder html = new StringBuilder();
    while (m.find()) {
      assertThat(values).as("expressions of the destroy form").containsKey(m.group(1));
      m.appendReplacement(html, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(html);
    return html.toString();
  }

  /** Three stacks as the engine reports them: an ephemeral one ahead of L3, a persistent one, production. */
  private static StatusReport report(Instant now) {
    Map<String, String> l3 = Map.of("orders", "1.1.0", "billing", "2.0.0");
    List<StatusReport.StackStatus> stacks = new ArrayList<>();
    stacks.add(stack(now, "pr-7", StackType.EPHEMERAL, "bob", l3,
        service("orders", "1.2.0", now), service("search", "0.1.0", now)));
    stacks.add(stack(now, "qa", StackType.PERSISTENT, "alice", l3, service("orders", "1.1.0", now),
        service("billing", "2.0.0", now)));
    stacks.add(stack(now, "prod", StackType.PRODUCTION, "carol", l3, service("orders", "1.1.0", now),
        service("billing", "2.0.0", now)));
    return new StatusReport(now.minus(Duration.ofHours(1)), "default", new StatusReport.L3("2.0.0-c1", "sha256:" + "ab".repeat(32), l3,
        now.minus(Duration.ofDays(1)), "c1", "carol"), List.of(), stacks, List.of());
  }

  private static StatusReport.StackStatus stack(Instant now, String name, StackType type, String owner,
      Map<String, String> l3, DeployedServices.Service... services) {
    Instant created = now.minus(Duration.ofDays(2));
    Stack stack = new Stack(name, "sp-" + name, type, "default", owner, "tests", created, created, "create", null,
        null, null, null, null, false, Duration.ofDays(2), null, List.of(), "1");
    Map<String, String> versions = new LinkedHashMap<>();
    for (DeployedServices.Service s : services) {
      versions.put(s.service(), s.version());
    }
    return new StatusReport.StackStatus(stack, List.of(services), Drift.between(l3, versions));
  }

  private static DeployedServices.Service service(String name, String version, Instant now) {
    return new DeployedServices.Service(name, name, version, "sha256:" + "cd".repeat(32), "qa", 1, "deployed", false,
        now.minus(Duration.ofHours(3)).toString(), "bob");
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
