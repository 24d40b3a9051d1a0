package io.maskline.phone;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalityTest {

  @Test
  void aNanpNumberIsTaggedByAreaCodeThenCountry() {
    assertThat(Locality.tags("+12125550123")).containsExactly("area:1212", "region:US");
    assertThat(Locality.tags("+14165550123")).containsExactly("area:1416", "region:CA");
  }

  @Test
  void otherNumbersAreTaggedByCountry() {
    assertThat(Locality.tags("+4791234567")).containsExactly("region:NO");
    assertThat(Locality.tags("+447700123456")).containsExactly("region:GB");
  }

  @Test
  void aNumberThatCannotBePlacedHasNoTags() {
    assertThat(Locality.tags("unknown:abc")).isEmpty();
  }
}
