package io.maskline.provider.twilio;

import io.maskline.routing.Channel;
import io.maskline.routing.Decision;
import io.maskline.routing.Decision.AdminDial;
import io.maskline.routing.Decision.AdminSms;
import io.maskline.routing.Decision.Dial;
import io.maskline.routing.Decision.EmailOrg;
import io.maskline.routing.Decision.ForwardSms;
import io.maskline.routing.Decision.Help;
import io.maskline.routing.Decision.Notice;
import io.maskline.routing.Decision.OptIn;
import io.maskline.routing.Decision.OptOut;
import io.maskline.routing.Decision.Reject;
import java.util.Objects;

/**
 * Renders a routing {@link Decision} as the TwiML answer of docs/API.md ("Provider webhooks"). Text is
 * escaped by hand: the shapes are few and fixed, and a StringBuilder is cheaper on the webhook path
 * than any XML library.
 */
public final class TwimlWriter {

  /** Twilio's record mode for a two-channel recording that starts when the callee answers. */
  public static final String RECORD_FROM_ANSWER_DUAL = "record-from-answer-dual";

  private static final String PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  /** TwiML that does nothing: also what a stored answer becomes once its person is forgotten. */
  public static final String EMPTY_RESPONSE = PROLOG + "<Response/>";

  private final VoicePrompts prompts;
  private final ReplyTexts replies;
  private final String degradedVoice;

  public TwimlWriter(VoicePrompts prompts) {
    this(prompts, ReplyTexts.defaults());
  }

  public TwimlWriter(VoicePrompts prompts, ReplyTexts replies) {
    this.prompts = Objects.requireNonNull(prompts, "prompts");
    this.replies = Objects.requireNonNull(replies, "replies");
    this.degradedVoice = sayAndHangUp(prompts.unavailable());
  }

  /**
   * The answer to the webhook of {@code channel}. Decisions that forward belong to one channel
   * only; asking for the other is a wiring bug and throws.
   */
  public String render(Decision decision, Channel channel) {
    Objects.requireNonNull(channel, "channel");
    if (decision instanceof ForwardSms forward) {
      return message(channel, decision, forward.to(), forward.from(), forward.body());
    }
    if (decision instanceof AdminSms admin) {
      return message(channel, decision, admin.adminPhone(), admin.from(), admin.body());
    }
    if (decision instanceof Dial dial) {
      return dial(channel, decision, dial.to(), dial.callerId(), dial.record());
    }
    if (decision instanceof AdminDial admin) {
      return dial(channel, decision, admin.adminPhone(), admin.callerId(), false);
    }
    if (decision instanceof EmailOrg) {
      return noForwarding(channel, prompts.messageTaken());
    }
    if (decision instanceof Notice notice) {
      return switch (notice.reason()) {
        case TASK_ENDED -> noForwarding(channel, prompts.taskEnded());
        case UNKNOWN_NUMBER, OWN_NUMBER -> noForwarding(channel, prompts.unknownNumber());
        // After STOP, carriers allow no message but the confirmation: an SMS gets no reply.
        case CALLER_OPTED_OUT -> noForwarding(channel, replies.callerOptedOutVoice());
        // A driver or admin whose words went nowhere is told so, on either channel.
        case RECIPIENT_OPTED_OUT -> tell(channel, replies.recipientOptedOutSms(), replies.recipientOptedOutVoice());
        case NOBODY_TO_REPLY_TO -> tell(channel, replies.nobodyToReplyToSms(), replies.nobodyToReplyToVoice());
      };
    }
    if (decision instanceof OptOut optOut) {
      requireChannel(Channel.SMS, channel, decision);
      return reply(replies.optedOut().formatted(named(optOut.orgName())));
    }
    if (decision instanceof OptIn optIn) {
      requireChannel(Channel.SMS, channel, decision);
      return reply(replies.optedIn().formatted(named(optIn.orgName())));
    }
    if (decision instanceof Help help) {
      requireChannel(Channel.SMS, channel, decision);
      return reply(help.contact() == null || help.contact().isBlank()
          ? replies.helpWithoutContact().formatted(named(help.orgName()))
          : replies.help().formatted(named(help.orgName()), help.contact()));
    }
    if (decision instanceof Reject reject) {
      // A caller stopped by the loop guard is told the same as a flooder: try later.
      String prompt =
          switch (reject.reason()) {
            case RATE_LIMITED, LOOP_DETECTED -> prompts.rateLimited();
          };
      return noForwarding(channel, prompt);
    }
    throw new IllegalArgumentException("no TwiML for " + decision);
  }

  /** The answer while the gateway cannot route at all (Redis down): never hang, never 5xx. */
  public String degraded(Channel channel) {
    return Objects.requireNonNull(channel, "channel") == Channel.SMS ? EMPTY_RESPONSE : degradedVoice;
  }

  private static String message(Channel channel, Decision decision, String to, String from, String body) {
    requireChannel(Channel.SMS, channel, decision);
    StringBuilder out = new StringBuilder(PROLOG.length() + 96 + body.length());
    out.append(PROLOG).append("<Response><Message to=\"");
    appendEscaped(out, to, true);
    out.append("\" from=\"");
    appendEscaped(out, from, true);
    out.append("\">");
    appendEscaped(out, body, false);
    return out.append("</Message></Response>").toString();
  }

  private static String dial(Channel channel, Decision decision, String to, String callerId, boolean record) {
    requireChannel(Channel.VOICE, channel, decision);
    StringBuilder out = new StringBuilder(PROLOG.length() + 128);
    out.append(PROLOG).append("<Response><Dial callerId=\"");
    appendEscaped(out, callerId, true);
    out.append('"');
    if (record) {
      out.append(" record=\"").append(RECORD_FROM_ANSWER_DUAL).append('"');
    }
    out.append("><Number>");
    appendEscaped(out, to, false);
    return out.append("</Number></Dial></Response>").toString();
  }

  private String noForwarding(Channel channel, String prompt) {
    // An SMS that is not forwarded gets no reply at all (docs/API.md): a reply would cost the org money
    // and could start an auto-responder loop.
    return channel == Channel.SMS ? EMPTY_RESPONSE : sayAndHangUp(prompt);
  }

  private String tell(Channel channel, String sms, String voice) {
    return channel == Channel.SMS ? reply(sms) : sayAndHangUp(voice);
  }

  /** An SMS back to the sender, from the number they texted. */
  private static String reply(String text) {
    StringBuilder out = new StringBuilder(PROLOG.length() + 40 + text.length());
    out.append(PROLOG).append("<Response><Message>");
    appendEscaped(out, text, false);
    return out.append("</Message></Response>").toString();
  }

  private static String named(String orgName) {
    return orgName == null || orgName.isBlank() ? ReplyTexts.UNNAMED_ORG : orgName;
  }

  private static String sayAndHangUp(String prompt) {
    StringBuilder out = new StringBuilder(PROLOG.length() + 48 + prompt.length());
    out.append(PROLOG).append("<Response><Say>");
    appendEscaped(out, prompt, false);
    return out.append("</Say><Hangup/></Response>").toString();
  }

  private static void requireChannel(Channel expected, Channel actual, Decision decision) {
    if (expected != actual) {
      throw new IllegalArgumentException(
          decision.getClass().getSimpleName() + " answers a " + expected + " webhook, not " + actual);
    }
  }

  /**
   * Appends {@code value} escaped for XML 1.0 text or a double-quoted attribute. Characters XML 1.0
   * cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF) are dropped: a parser
   * would reject the whole answer for one of them.
   */
  private static void appendEscaped(StringBuilder out, String value, boolean inAttribute) {
    for (int i = 0; i < value.length(); ) {
      int c = value.codePointAt(i);
      i += Character.charCount(c);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        // Parsers turn a raw CR into LF, and raw tab/LF inside attributes into spaces;
        // character references survive both.
        case '\r' -> out.append("&#13;");
        case '\t' -> out.append(inAttribute ? "&#9;" : "\t");
        case '\n' -> out.append(inAttribute ? "&#10;" : "\n");
        default -> {
          if (isXmlChar(c)) {
            out.appendCodePoint(c);
          }
        }
      }
    }
  }

  /** The Char production of XML 1.0, minus tab/LF/CR which the caller handles. */
  private static boolean isXmlChar(int c) {
    return (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
  }
}
