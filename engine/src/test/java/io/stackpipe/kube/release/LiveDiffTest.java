package io.stackpipe.kube.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LiveDiffTest {

  private static ObjectNode json(String text) throws Exception {
    return (ObjectNode) ApiCalls.JSON.readTree(text.replace('\'', '"'));
  }

  @Nested
  class Matches {

    @Test
    void fieldsTheServerAddsAreNoDrift() throws Exception {
      JsonNode desired = json("{'spec':{'ports':[{'port':8080}],'selector':{'app':'a'}}}");
      JsonNode live = json("{'spec':{'ports':[{'port':8080,'protocol':'TCP','targetPort':8080}],"
          + "'selector':{'app':'a'},'clusterIP':'10.0.0.7'},'status':{}}");
      assertThat(LiveDiff.matches(desired, live)).isTrue();
    }

    @Test
    void aChangedValueAMissingListElementOrAnExtraOneIsDrift() throws Exception {
      JsonNode desired = json("{'data':{'A':'1'},'list':[{'n':1}]}");
      assertThat(LiveDiff.matches(desired, json("{'data':{'A':'2'},'list':[{'n':1}]}"))).isFalse();
      assertThat(LiveDiff.matches(desired, json("{'data':{'A':'1'},'list':[]}"))).isFalse();
      assertThat(LiveDiff.matches(desired, json("{'data':{'A':'1'},'list':[{'n':1},{'n':2}]}"))).isFalse();
    }

    @Test
    void numbersMatchByValueAndTheirTextAndEmptyValuesMatchAbsentOnes() throws Exception {
      assertThat(LiveDiff.matches(json("{'cpu':1,'n':1.0}"), json("{'cpu':'1','n':1}"))).isTrue();
      assertThat(LiveDiff.matches(json("{'annotations':{},'x':null}"), json("{}"))).isTrue();
    }
  }

  @Test
  void aSecretsStringDataIsComparedAsTheDataTheServerKeeps() throws Exception {
    ObjectNode secret = json("{'kind':'Secret','stringData':{'token':'canary'}}");
    ObjectNode normalized = LiveDiff.normalized(secret);
    assertThat(normalized.has("stringData")).isFalse();
    assertThat(normalized.at("/data/token").asText()).isEqualTo("Y2FuYXJ5");
    assertThat(secret.has("stringData")).as("the input is not changed").isTrue();
  }

  @Nested
  class Patch {

    @Test
    void setsWhatDiffersAndNullsWhatThePreviousRevisionSetAndThisOneDropped() throws Exception {
      JsonNode original = json("{'metadata':{'labels':{'a':'1','old':'x'}},'data':{'A':'1','B':'2'}}");
      JsonNode desired = json("{'metadata':{'labels':{'a':'1'}},'data':{'A':'changed'}}");
      JsonNode live = json("{'metadata':{'labels':{'a':'1','old':'x'},'uid':'u'},'data':{'A':'1','B':'2'}}");
      assertThat(LiveDiff.patch(original, desired, live))
          .isEqualTo(json("{'metadata':{'labels':{'old':null}},'data':{'A':'changed','B':null}}"));
    }

    @Test
    void putsBackAHandEditAndIsEmptyWhenLiveIsAsDesired() throws Exception {
      JsonNode desired = json("{'data':{'A':'1'}}");
      assertThat(LiveDiff.patch(desired, desired, json("{'data':{'A':'edited','extra':'kept'}}")))
          .isEqualTo(json("{'data':{'A':'1'}}"));
      assertThat(LiveDiff.patch(desired, desired, json("{'data':{'A':'1'},'metadata':{}}"))).isEmpty();
    }

    @Test
    void replacesAListThatDiffersWhole() throws Exception {
      JsonNode desired = json("{'spec':{'containers':[{'name':'a','image':'v2'}]}}");
      JsonNode live = json("{'spec':{'containers':[{'name':'a','image':'v1','imagePullPolicy':'Always'}]}}");
      assertThat(LiveDiff.patch(null, desired, live)).isEqualTo(desired);
    }
  }
}
