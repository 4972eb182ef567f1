package io.stackpipe.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stackpipe.StackpipeException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProfilesTest {

  @Nested
  class ProfileNamesGivenByUsers {

    @ParameterizedTest
    @ValueSource(strings = {"../x", "..", "qa1/../../etc", "QA1", "qa_1", "", "-qa", "a/b"})
    void areRefusedBeforeTheyTouchAPath(String name) {
      assertThatThrownBy(() -> Profiles.checkName(name)).isInstanceOf(StackpipeException.class)
          .hasMessage("profile name '" + name
              + "' is invalid: use a DNS-1123 label (lowercase letters, digits and '-'), no '/', '..' or upper case");
    }

    @ParameterizedTest
    @ValueSource(strings = {"qa1", "production", "ephemeral", "eu-west-1"})
    void dns1123LabelsAreAccepted(String name) {
      assertThat(Profiles.checkName(name)).isEqualTo(name);
    }
  }
}
