package io.stackpipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskingTest {

  @Test
  void aValueInsideAnotherDoesNotHalfMaskIt() {
    Masking masking = Masking.of(List.of("abc", "xxabcxx"));

    assertThat(masking.mask("token xxabcxx and abc")).isEqualTo("token **** and ****");
  }

  @Test
  void aValueOfSeveralLinesIsMaskedLineByLineAndBlankLinesMaskNothing() {
    Masking masking = Masking.of(List.of("-----BEGIN KEY-----\n  line1AAA\n\n  line2BBB  \n"));

    assertThat(masking.mask("got line2BBB here")).isEqualTo("got **** here");
    assertThat(masking.mask("a  b")).isEqualTo("a  b");
    assertThat(masking.values()).containsExactlyInAnyOrder("-----BEGIN KEY-----", "line1AAA", "line2BBB");
  }

  @Test
  void valuesAddedLaterMaskWhatASinkSeesFromThenOn() {
    List<String> seen = new ArrayList<>();
    Masking masking = Masking.of(List.of());
    var sink = masking.wrap(seen::add);

    sink.accept("s3cret");
    masking.add(List.of("s3cret"));
    sink.accept("s3cret");

    assertThat(seen).containsExactly("s3cret", "****");
    assertThat(masking.mask(null)).isNull();
  }
}
