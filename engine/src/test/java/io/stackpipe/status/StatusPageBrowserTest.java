package io.stackpipe.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stackpipe.local.registry.LocalRegistry;
import io.stackpipe.testsupport.kube.KubeConfigPath;
import io.stackpipe.testsupport.kube.TestNamespace;
import io.stackpipe.testsupport.kube.WithControlPlane;
import io.stackpipe.testsupport.registry.RegistryExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page as {@code status serve} serves it, in a real headless Chromium (Debian's, driven through its
 * chromedriver by Selenium; {@code scripts/setup} installs both). Every request but loopback fails in the browser, so
 * an external asset would show up as a console error. Saves {@code target/status-page.png}.
 */
@WithControlPlane
@ExtendWith(RegistryExtension.class)
class StatusPageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir
  static Path work;
  static String charts;
  static ChromeDriver browser;

  @BeforeAll
  static void start(LocalRegistry registry) {
    assertThat(CHROMEDRIVER).as("Chromium and chromedriver: run scripts/setup").isExecutable();
    charts = StatusFixture.publishCharts(registry, work);
    System.setProperty("SE_OFFLINE", "true");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
        "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900", "--no-first-run",
        "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void thePageLoadsWithoutConsoleErrorsFiltersByOwnerSortsByIdleAndMarksDrift(@KubeConfigPath Path kubeconfig,
      @TestNamespace String ns, KubernetesClient admin) throws Exception {
    try (StatusFixture f = new StatusFixture(kubeconfig, ns, admin)) {
      f.createStacks(charts);
      f.createL3(charts, ns);
      try (StatusServer.Running server = StatusServer.of(f::report).withPort(0).start()) {
        assertThat(server.address().getHost()).as("loopback by default").isEqualTo("127.0.0.1");
        browser.get(server.address().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(10));
        wait.until(d -> !d.findElement(By.id("sp-count")).getText().isEmpty());
        assertThat(browser.getTitle()).isEqualTo("Stackpipe status — " + ns);
        assertThat(stackNames()).containsExactly("pr-7", "prod", "qa");

        // Drift cells are marked by class and by text.
        browser.findElement(By.cssSelector("button[aria-label='Services of pr-7']")).sendKeys(Keys.ENTER);
        WebElement detail = browser.findElement(By.id("sp-svc-0"));
        wait.until(d -> detail.isDisplayed());
        assertThat(browser.findElement(By.cssSelector("button[aria-label='Services of pr-7']"))
            .getAttribute("aria-expanded")).isEqualTo("true");
        assertThat(detail.findElements(By.cssSelector("td.sp-drift-ahead"))).extracting(WebElement::getText)
            .contains("1.2.0", "↑ ahead");
        assertThat(detail.findElements(By.cssSelector("td.sp-drift-extra"))).extracting(WebElement::getText)
            .contains("0.1.0", "+ extra");
        assertThat(detail.findElements(By.cssSelector("td.sp-drift-missing"))).isNotEmpty();
        assertThat(browser.findElement(By.cssSelector(".sp-prod .sp-drift-behind")).getText())
            .contains("gateway 1.0.0 < L3 1.1.0");
        String background = browser.findElement(By.cssSelector("td.sp-drift-ahead")).getCssValue("background-color");
        assertThat(background).as("highlighted in the ahead colour").isEqualTo("rgba(230, 240, 255, 1)");

        // Sorting by idle time: descending then ascending, by the seconds, not the text.
        WebElement idle = browser.findElement(By.xpath("//table[@id='sp-stacks-table']//th/button[.='Idle']"));
        idle.click();
        assertThat(stackNames()).containsExactly("pr-7", "qa", "prod");
        idle.click();
        assertThat(stackNames()).containsExactly("prod", "qa", "pr-7");
        assertThat(idle.findElement(By.xpath("..")).getAttribute("aria-sort")).isEqualTo("descending");

        shot(browser, "status-page.png");

        // Filtering by owner hides the other stacks; the label names the field.
        WebElement owner = browser.findElement(By.id("sp-filter-owner"));
        assertThat(browser.findElement(By.xpath("//label[input[@id='sp-filter-owner']]")).getText()).contains("Owner");
        owner.sendKeys("alice");
        assertThat(visibleStackNames()).containsExactly("qa");
        assertThat(browser.findElement(By.id("sp-count")).getText()).isEqualTo("1 of 3 stacks shown");
        owner.clear();
        owner.sendKeys(Keys.BACK_SPACE);
        browser.findElement(By.id("sp-filter-service")).sendKeys("search");
        assertThat(visibleStackNames()).containsExactly("pr-7");

        List<LogEntry> console = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(console).as("console messages").filteredOn(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
            .isEmpty();

        // The same server: JSON, health, read-only.
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(server.address().resolve("/status.json")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(json.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(StatusReportTest.schemaErrors(json.body())).isEmpty();
        assertThat(http.send(HttpRequest.newBuilder(server.address().resolve("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok\n");
        assertThat(http.send(HttpRequest.newBuilder(server.address()).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
      }
    }
  }

  private static List<String> stackNames() {
    return browser.findElements(By.cssSelector("#sp-stacks-table tbody.sp-stack")).stream()
        .map(tb -> tb.getAttribute("data-stack")).toList();
  }

  private static List<String> visibleStackNames() {
    return browser.findElements(By.cssSelector("#sp-stacks-table tbody.sp-stack")).stream().filter(WebElement::isDisplayed)
        .map(tb -> tb.getAttribute("data-stack")).toList();
  }

  /** A screenshot under target/ (a test artifact). */
  static Path shot(ChromeDriver driver, String name) throws IOException {
    Path target = Path.of("target", name).toAbsolutePath();
    Files.createDirectories(target.getParent());
    Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target,
        StandardCopyOption.REPLACE_EXISTING);
    return target;
  }
}
