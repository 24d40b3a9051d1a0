package io.maskline.routing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class KeywordTest {

  @ParameterizedTest
  @CsvSource({"STOP,OPT_OUT", "stopall,OPT_OUT", "Unsubscribe,OPT_OUT", "cancel,OPT_OUT", "END,OPT_OUT", "Quit,OPT_OUT",
      "START,OPT_IN", "unstop,OPT_IN", "yes,OPT_IN", "help,HELP", "'  Stop\n',OPT_OUT", "'\tHELP ',HELP"})
  void theWholeTrimmedMessageInAnyCaseIsTheKeyword(String body, Keyword expected) {
    assertThat(Keyword.of(body)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "STOP it", "please stop", "stopp", "S T O P", "no", "helpful", "unsubscribe me now please"})
  void anythingElseIsAnOrdinaryMessage(String body) {
    assertThat(Keyword.of(body)).isNull();
  }

  @org.junit.jupiter.api.Test
  void aCallHasNoKeyword() {
    assertThat(Keyword.of(null)).isNull();
  }
}
