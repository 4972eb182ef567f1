package io.stackpipe.chart;

import static io.stackpipe.chart.Fixtures.exampleService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every service chart of a folder, built under one version. */
class ChartPublishTest {

  @TempDir
  Path work;

  @Test
  void buildsEveryChartOfTheFolderInNameOrderAskingForEachImage() throws IOException {
    Path services = work.resolve("services");
    exampleService("orders", services);
    exampleService("billing", services);
    Files.createDirectories(services.resolve("docs"));
    List<String> asked = new ArrayList<>();
    List<String> progress = new ArrayList<>();

    ChartPublishResult result = ChartPublish.of(services).withVersion("2.0.0").withAppVersion("2.0.0")
        .withImages(service -> {
          asked.add(service);
          return null;
        })
        .withOutputDirectory(work.resolve("out")).withProgress(progress::add).call();

    assertThat(asked).containsExactly("billing", "orders");
    assertThat(result.charts()).extracting(ChartBuildResult::name).containsExactly("billing", "orders");
    assertThat(result.charts()).extracting(ChartBuildResult::version).containsOnly("2.0.0");
    assertThat(work.resolve("out")).isDirectoryContaining("glob:**/billing-2.0.0.tgz")
        .isDirectoryContaining("glob:**/orders-2.0.0.tgz");
    assertThat(progress).anyMatch(line -> line.startsWith("billing: packaged billing-2.0.0.tgz"));
    assertThat(result.toMap()).containsOnlyKeys("charts");
    List<Object> names = ((List<?>) result.toMap().get("charts")).stream()
        .map(c -> ((Map<?, ?>) c).get("name")).map(Object.class::cast).toList();
    assertThat(names).containsExactly("billing", "orders");
  }

  @Test
  void aFolderWithoutChartsIsRefused() throws IOException {
    Path empty = Files.createDirectories(work.resolve("empty"));

    assertThatThrownBy(() -> ChartPublish.of(empty).withOutputDirectory(work.resolve("out")).call())
        .isInstanceOf(StackpipeException.class)
        .hasMessage(empty + ": no service charts (no sub-folder holds a Chart.yaml)");
    assertThatThrownBy(() -> ChartPublish.of(work.resolve("none")).withOutputDirectory(work.resolve("out")).call())
        .isInstanceOf(StackpipeException.class)
        .hasMessage(work.resolve("none") + ": no such folder of service charts");
  }
}
