package io.maskline.provider.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskline.routing.Channel;
import io.maskline.routing.Decision;
import io.maskline.routing.Decision.AdminDial;
import io.maskline.routing.Decision.AdminSms;
import io.maskline.routing.Decision.Dial;
import io.maskline.routing.Decision.EmailOrg;
import io.maskline.routing.Decision.ForwardSms;
import io.maskline.routing.Decision.Notice;
import io.maskline.routing.Decision.Reject;
import io.maskline.routing.EmailReason;
import io.maskline.routing.NoticeReason;
import io.maskline.routing.RejectReason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class TwimlWriterTest {

  static final String XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  static final String P = "+4740000001";
  static final String COUNTERPART = "+4792222222";
  static final String ADMIN = "+4793333333";

  final VoicePrompts prompts = VoicePrompts.defaults();
  final TwimlWriter writer = new TwimlWriter(prompts);

  @Test
  void forwardedSmsIsAMessageFromTheProxy() {
    assertThat(writer.render(new ForwardSms(COUNTERPART, P, "On my way"), Channel.SMS))
        .isEqualTo(XML + "<Response><Message to=\"+4792222222\" from=\"+4740000001\">On my way</Message></Response>");
  }

  @Test
  void adminSmsIsAMessageFromTheProxyToTheAdminPhone() {
    assertThat(writer.render(new AdminSms(ADMIN, P, "Where is my parcel?"), Channel.SMS))
        .isEqualTo(XML + "<Response><Message to=\"+4793333333\" from=\"+4740000001\">Where is my parcel?</Message></Response>");
  }

  @Test
  void connectedCallDialsTheCounterpartWithTheProxyAsCallerId() {
    assertThat(writer.render(new Dial(COUNTERPART, P, false), Channel.VOICE))
        .isEqualTo(XML + "<Response><Dial callerId=\"+4740000001\"><Number>+4792222222</Number></Dial></Response>");
  }

  @Test
  void recordedCallRecordsBothLegsFromAnswer() {
    assertThat(writer.render(new Dial(COUNTERPART, P, true), Channel.VOICE))
        .isEqualTo(XML + "<Response><Dial callerId=\"+4740000001\" record=\"record-from-answer-dual\">"
            + "<Number>+4792222222</Number></Dial></Response>");
  }

  @Test
  void adminCallDialsTheAdminPhoneWithTheProxyAsCallerId() {
    assertThat(writer.render(new AdminDial(ADMIN, P), Channel.VOICE))
        .isEqualTo(XML + "<Response><Dial callerId=\"+4740000001\"><Number>+4793333333</Number></Dial></Response>");
  }

  static Stream<Arguments> notForwarded() {
    VoicePrompts say = VoicePrompts.defaults();
    return Stream.of(
        Arguments.of(new EmailOrg("acme", "ops@acme.example", EmailReason.MESSAGE_AFTER_TASK), say.messageTaken()),
        Arguments.of(new EmailOrg("acme", "ops@acme.example", EmailReason.MISSED_CALL_AFTER_TASK), say.messageTaken()),
        Arguments.of(new Notice(NoticeReason.TASK_ENDED), say.taskEnded()),
        Arguments.of(new Notice(NoticeReason.UNKNOWN_NUMBER), say.unknownNumber()),
        Arguments.of(new Notice(NoticeReason.OWN_NUMBER), say.unknownNumber()),
        Arguments.of(new Notice(NoticeReason.CALLER_OPTED_OUT), ReplyTexts.defaults().callerOptedOutVoice()),
        Arguments.of(new Reject(RejectReason.RATE_LIMITED), say.rateLimited()),
        Arguments.of(new Reject(RejectReason.LOOP_DETECTED), say.rateLimited()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notForwarded")
  void smsThatIsNotForwardedGetsAnEmptyResponse(Decision decision, String unusedPrompt) {
    assertThat(writer.render(decision, Channel.SMS)).isEqualTo(XML + "<Response/>");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notForwarded")
  void callThatIsNotConnectedHearsItsPromptThenHangsUp(Decision decision, String prompt) {
    assertThat(writer.render(decision, Channel.VOICE))
        .isEqualTo(XML + "<Response><Say>" + prompt + "</Say><Hangup/></Response>");
  }

  @Test
  void keywordAnswersAreRepliesToTheSenderNamingTheOrg() {
    assertThat(writer.render(new Decision.OptOut("acme", "Acme & Co"), Channel.SMS))
        .isEqualTo(XML + "<Response><Message>You are unsubscribed from Acme &amp; Co and will get no more messages from this number."
            + " Reply START to resubscribe.</Message></Response>");
    assertThat(writer.render(new Decision.OptIn("acme", null), Channel.SMS))
        .isEqualTo(XML + "<Response><Message>You are resubscribed to this service. Reply STOP to unsubscribe.</Message></Response>");
    assertThat(writer.render(new Decision.Help("Acme", "ops@acme.example"), Channel.SMS))
        .isEqualTo(XML + "<Response><Message>Acme. Contact: ops@acme.example. Reply STOP to unsubscribe.</Message></Response>");
    assertThat(writer.render(new Decision.Help("Acme", null), Channel.SMS))
        .isEqualTo(XML + "<Response><Message>Acme. Reply STOP to unsubscribe.</Message></Response>");
    assertThatThrownBy(() -> writer.render(new Decision.OptOut("acme", "Acme"), Channel.VOICE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSenderWhoseWordsWentNowhereIsToldOnEitherChannel() {
    ReplyTexts texts = ReplyTexts.defaults();
    assertThat(writer.render(new Notice(NoticeReason.RECIPIENT_OPTED_OUT), Channel.SMS))
        .isEqualTo(XML + "<Response><Message>" + texts.recipientOptedOutSms() + "</Message></Response>");
    assertThat(writer.render(new Notice(NoticeReason.RECIPIENT_OPTED_OUT), Channel.VOICE))
        .isEqualTo(XML + "<Response><Say>" + texts.recipientOptedOutVoice() + "</Say><Hangup/></Response>");
    assertThat(writer.render(new Notice(NoticeReason.NOBODY_TO_REPLY_TO), Channel.SMS))
        .isEqualTo(XML + "<Response><Message>" + texts.nobodyToReplyToSms() + "</Message></Response>");
    assertThat(writer.render(new Notice(NoticeReason.NOBODY_TO_REPLY_TO), Channel.VOICE))
        .isEqualTo(XML + "<Response><Say>" + texts.nobodyToReplyToVoice() + "</Say><Hangup/></Response>");
  }

  @Test
  void configuredPromptsAreSpokenEscaped() {
    TwimlWriter custom = new TwimlWriter(new VoicePrompts("Task over & done", "Who?", "Slow down", "Noted", "Down <now>"));
    assertThat(custom.render(new Notice(NoticeReason.TASK_ENDED), Channel.VOICE))
        .isEqualTo(XML + "<Response><Say>Task over &amp; done</Say><Hangup/></Response>");
    assertThat(custom.degraded(Channel.VOICE))
        .isEqualTo(XML + "<Response><Say>Down &lt;now&gt;</Say><Hangup/></Response>");
  }

  @Test
  void degradedSmsAnswerIsEmpty() {
    assertThat(writer.degraded(Channel.SMS)).isEqualTo(XML + "<Response/>");
  }

  @Test
  void degradedCallHearsUnavailableThenHangsUp() {
    assertThat(writer.degraded(Channel.VOICE))
        .isEqualTo(XML + "<Response><Say>" + prompts.unavailable() + "</Say><Hangup/></Response>");
  }

  @Test
  void markupCharactersInTheBodyAreEscaped() {
    String twiml = writer.render(new ForwardSms(COUNTERPART, P, "Tom & Jerry <b>\"hi\"</b> it's 5 > 4"), Channel.SMS);
    assertThat(twiml)
        .isEqualTo(XML + "<Response><Message to=\"+4792222222\" from=\"+4740000001\">"
            + "Tom &amp; Jerry &lt;b&gt;&quot;hi&quot;&lt;/b&gt; it&apos;s 5 &gt; 4</Message></Response>");
  }

  @Test
  void markupCharactersInAttributesAreEscaped() {
    String twiml = writer.render(new ForwardSms("+1\"/><Evil a='x'>&", "+2<'&'>", "x"), Channel.SMS);
    assertThat(twiml)
        .isEqualTo(XML + "<Response><Message to=\"+1&quot;/&gt;&lt;Evil a=&apos;x&apos;&gt;&amp;\" "
            + "from=\"+2&lt;&apos;&amp;&apos;&gt;\">x</Message></Response>");
    assertThat(writer.render(new Dial("+1<&>", "+2\"'", true), Channel.VOICE))
        .isEqualTo(XML + "<Response><Dial callerId=\"+2&quot;&apos;\" record=\"record-from-answer-dual\">"
            + "<Number>+1&lt;&amp;&gt;</Number></Dial></Response>");
  }

  @Test
  void charactersIllegalInXmlAreDropped() {
    String body = "a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\uFFFEh\uFFFFi\uD800j\uDC00k";
    assertThat(writer.render(new ForwardSms(COUNTERPART, P, body), Channel.SMS))
        .isEqualTo(XML + "<Response><Message to=\"+4792222222\" from=\"+4740000001\">abcdefghijk</Message></Response>");
    assertThat(writer.render(new Dial("+47\u0000922", "+47\u001B400", false), Channel.VOICE))
        .isEqualTo(XML + "<Response><Dial callerId=\"+47400\"><Number>+47922</Number></Dial></Response>");
  }

  @Test
  void whitespaceAndNonAsciiSurviveAParser() throws Exception {
    String body = "Line 1\r\nLine\t2\nHei på deg 🚚 — ¡olé! \u0085\u00A0end";
    String twiml = writer.render(new ForwardSms(COUNTERPART, P, body), Channel.SMS);
    assertThat(twiml).contains("Line 1&#13;\nLine\t2\nHei på deg 🚚");

    Element message = firstElement(parse(twiml), "Message");
    assertThat(message.getTextContent()).isEqualTo(body);
    assertThat(message.getAttribute("to")).isEqualTo(COUNTERPART);
  }

  @Test
  void attributeWhitespaceSurvivesAParser() throws Exception {
    String odd = "+47\t1\n2\r3";
    String twiml = writer.render(new ForwardSms(odd, P, "x"), Channel.SMS);
    assertThat(twiml).contains("to=\"+47&#9;1&#10;2&#13;3\"");
    assertThat(firstElement(parse(twiml), "Message").getAttribute("to")).isEqualTo(odd);
  }

  @Test
  void hostileTextStillMakesWellFormedTwiml() throws Exception {
    String hostile = "]]><![CDATA[<Say>x</Say>]]>&#x0;&amp;\u0000\"'<?pi?><!-- c -->";
    String expected = hostile.replace("\u0000", "");
    String sms = writer.render(new ForwardSms(hostile, P, hostile), Channel.SMS);
    Element message = firstElement(parse(sms), "Message");
    assertThat(message.getTextContent()).isEqualTo(expected);
    assertThat(message.getAttribute("to")).isEqualTo(expected);
    assertThat(message.getChildNodes().getLength()).isEqualTo(1);

    String call = new TwimlWriter(new VoicePrompts(hostile, "u", "r", "m", "d"))
        .render(new Notice(NoticeReason.TASK_ENDED), Channel.VOICE);
    assertThat(firstElement(parse(call), "Say").getTextContent()).isEqualTo(expected);
  }

  @Test
  void everyKindOfDecisionRendersOnItsChannel() {
    List<Decision> oneOfEach =
        List.of(
            new ForwardSms(COUNTERPART, P, "b"),
            new Dial(COUNTERPART, P, false),
            new AdminSms(ADMIN, P, "b"),
            new AdminDial(ADMIN, P),
            new EmailOrg("acme", "ops@acme.example", EmailReason.RECIPIENT_TO_ADMIN_NO_SMS),
            new Notice(NoticeReason.TASK_ENDED),
            new Reject(RejectReason.LOOP_DETECTED),
            new Decision.OptOut("acme", "Acme"),
            new Decision.OptIn("acme", "Acme"),
            new Decision.Help("Acme", "ops@acme.example"));
    assertThat(oneOfEach.stream().map(Object::getClass).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(Decision.class.getPermittedSubclasses());
    for (Decision decision : oneOfEach) {
      Channel channel = decision instanceof Dial || decision instanceof AdminDial ? Channel.VOICE : Channel.SMS;
      assertThat(writer.render(decision, channel)).startsWith(XML + "<Response");
    }
  }

  @Test
  void forwardOnTheWrongChannelIsAWiringBug() {
    assertThatThrownBy(() -> writer.render(new ForwardSms(COUNTERPART, P, "b"), Channel.VOICE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> writer.render(new AdminSms(ADMIN, P, "b"), Channel.VOICE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> writer.render(new Dial(COUNTERPART, P, true), Channel.SMS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> writer.render(new AdminDial(ADMIN, P), Channel.SMS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void blankPromptIsRefusedAtStartUp() {
    assertThatThrownBy(() -> new VoicePrompts("ended", " ", "slow", "noted", "down"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknownNumber");
  }

  private static Document parse(String twiml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(twiml.getBytes(StandardCharsets.UTF_8)));
  }

  private static Element firstElement(Document document, String name) {
    return (Element) document.getElementsByTagName(name).item(0);
  }
}
