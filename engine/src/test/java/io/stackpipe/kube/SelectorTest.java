package io.stackpipe.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SelectorTest {

  @Nested
  class Parsing {

    @Test
    void readsEverySetBasedAndEqualityForm() {
      Selector selector = Selector.parse("tier in (web, api),env notin (prod),!legacy,team,app=shop,zone!=eu");
      assertThat(selector.toString())
          .isEqualTo("tier in (web,api),env notin (prod),!legacy,team,app in (shop),zone notin (eu)");
    }

    @Test
    void acceptsPrefixedKeysAndAnEmptySelector() {
      assertThat(Selector.parse("stackpipe.io/stack in (a)").requirements()).singleElement()
          .extracting(Selector.Requirement::key).isEqualTo("stackpipe.io/stack");
      assertThat(Selector.parse("").requirements()).isEmpty();
    }

    @Test
    void namesTheTermItCannotRead() {
      assertThatThrownBy(() -> Selector.parse("tier in (web),env ~ prod"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("label selector \"tier in (web),env ~ prod\": cannot parse \"env ~ prod\""
              + " (expected key, !key, key=value, key!=value, key in (a,b) or key notin (a,b))");
      assertThatThrownBy(() -> Selector.parse("tier in (web,)"))
          .hasMessage("label selector \"tier in (web,)\": empty value in \"tier in (web,)\"");
    }
  }

  @Test
  void becomesMatchExpressionsForTheApi() {
    assertThat(Selector.all().in("tier", "web").notIn("env", "prod").exists("team").doesNotExist("legacy")
        .toLabelSelector().getMatchExpressions())
        .containsExactly(
            new LabelSelectorRequirement("tier", "In", List.of("web")),
            new LabelSelectorRequirement("env", "NotIn", List.of("prod")),
            new LabelSelectorRequirement("team", "Exists", List.of()),
            new LabelSelectorRequirement("legacy", "DoesNotExist", List.of()));
  }
}
