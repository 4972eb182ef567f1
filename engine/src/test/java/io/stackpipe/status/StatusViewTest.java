package io.stackpipe.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import io.stackpipe.deploy.record.DeployedServices;
import io.stackpipe.stack.Stack;
import io.stackpipe.stack.StackType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Jenkins page's data: thousands of stacks filtered and paged, display values as of the report. */
class StatusViewTest {
  static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");
  static final Map<String, String> L3 = Map.of("orders", "1.1.0", "billing", "2.0.0");

  @Test
  void pagesThousandsOfStacksAndFiltersThemAsThePageScriptDoes() {
    List<StatusReport.StackStatus> stacks = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      stacks.add(stack("pr-" + i, StackType.EPHEMERAL, i % 3 == 0 ? "Alice" : "bob",
          service("orders", i % 2 == 0 ? "1.1.0" : "1.2.0"), service(i % 10 == 0 ? "search" : "billing", "2.0.0")));
    }
    StatusReport report = report(stacks);

    StatusView.Page first = StatusView.of(report).page(1);
    assertThat(first.stacks()).hasSize(50);
    assertThat(first).extracting(StatusView.Page::matching, StatusView.Page::total, StatusView.Page::pages,
        StatusView.Page::from, StatusView.Page::to).containsExactly(3000, 3000, 60, 1, 50);
    StatusView.Page last = StatusView.of(report).page(99);
    assertThat(last.page()).as("past the end: the last page").isEqualTo(60);
    assertThat(last.stacks()).extracting(r -> r.get("name")).endsWith("pr-2999");
    assertThat(last.stacks().get(0).get("id")).as("ids unique across pages").isEqualTo("sp-svc-2950");

    StatusView.Page alice = StatusView.of(report).withOwner(" ALI ").withService("sear").withPageSize(7).page(2);
    // Owner alice: every third stack; service search: every tenth; both: every thirtieth → 100 stacks.
    assertThat(alice.matching()).isEqualTo(100);
    assertThat(alice.pages()).isEqualTo(15);
    assertThat(alice.stacks()).extracting(r -> r.get("name")).first().isEqualTo("pr-210");
    assertThat(StatusView.of(report).withStack("pr-299").page(1).matching()).isEqualTo(11);
    assertThat(StatusView.of(report).withOwner("nobody").page(3))
        .extracting(StatusView.Page::matching, StatusView.Page::page, StatusView.Page::from, StatusView.Page::to)
        .containsExactly(0, 1, 0, 0);
    assertThatThrownBy(() -> StatusView.of(report).withPageSize(0).page(1)).isInstanceOf(StackpipeException.class)
        .hasMessageContaining("0 is not a page size");
  }

  @Test
  void rowsCarryTheDisplayValuesAndTheDataAttributesValues() {
    StatusReport report = report(List.of(stack("pr-7", StackType.EPHEMERAL, "bob", service("orders", "1.2.0"),
        service("search", "0.1.0"))));
    StatusView view = StatusView.of(report);
    Map<String, Object> row = view.page(1).stacks().get(0);
    assertThat(row).containsEntry("name", "pr-7").containsEntry("owner", "bob").containsEntry("type", "ephemeral")
        .containsEntry("serviceNames", "orders search").containsEntry("createdText", "2d ago")
        .containsEntry("driftText", "− billing, ↑ orders, + search").containsEntry("driftClass", "sp-drift-summary")
        .containsEntry("reapLabel", "never reaped");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> services = (List<Map<String, Object>>) row.get("serviceRows");
    assertThat(services.get(0)).containsEntry("service", "orders").containsEntry("l3", "1.1.0")
        .containsEntry("drift", "ahead").containsEntry("driftText", "↑ ahead")
        .containsEntry("driftClass", "sp-drift sp-drift-ahead").containsEntry("deployedAtText", "3h ago");
    assertThat(row.get("missing")).isEqualTo(List.of(Map.of("service", "billing", "l3", "2.0.0")));
    assertThat(view.l3()).containsEntry("version", "2.0.0-c1").containsEntry("promotedAtText", "1d ago");
    assertThat(view.owners()).containsExactly("bob");
    assertThat(view.services()).containsExactly("orders", "search");
  }

  static StatusReport report(List<StatusReport.StackStatus> stacks) {
    return new StatusReport(NOW, "default", new StatusReport.L3("2.0.0-c1", "sha256:" + "ab".repeat(32), L3,
        NOW.minus(Duration.ofDays(1)), "c1", "carol"), List.of(), stacks, List.of());
  }

  static StatusReport.StackStatus stack(String name, StackType type, String owner,
      DeployedServices.Service... services) {
    Instant created = NOW.minus(Duration.ofDays(2));
    Stack stack = new Stack(name, "sp-" + name, type, "default", owner, "tests", created, created, "create", null,
        null, null, null, null, false, Duration.ofDays(2), null, List.of(), "1");
    Map<String, String> versions = new java.util.LinkedHashMap<>();
    for (DeployedServices.Service s : services) {
      versions.put(s.service(), s.version());
    }
    return new StatusReport.StackStatus(stack, List.of(services), Drift.between(L3, versions));
  }

  static DeployedServices.Service service(String name, String version) {
    return new DeployedServices.Service(name, name, version, "sha256:" + "cd".repeat(32), "qa", 1, "deployed", false,
        NOW.minus(Duration.ofHours(3)).toString(), "bob");
  }
}
