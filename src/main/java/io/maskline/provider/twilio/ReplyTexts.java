package io.maskline.provider.twilio;

/**
 * The texts Maskline itself answers with for opt-out keywords and for notices its sender must hear: an SMS reply goes
 * back to the sender from the number they texted (TwiML {@code <Message>} without {@code to}), a voice text is spoken
 * once before hanging up. Org names and contacts are filled in where the text has {@code %s}.
 */
public record ReplyTexts(
    String optedOut,
    String optedIn,
    String help,
    String helpWithoutContact,
    String recipientOptedOutSms,
    String recipientOptedOutVoice,
    String callerOptedOutVoice,
    String nobodyToReplyToSms,
    String nobodyToReplyToVoice) {

  /** Stands in for an org whose name the hot path does not know (its mirror predates names). */
  static final String UNNAMED_ORG = "this service";

  public static ReplyTexts defaults() {
    return new ReplyTexts(
        "You are unsubscribed from %s and will get no more messages from this number. Reply START to resubscribe.",
        "You are resubscribed to %s. Reply STOP to unsubscribe.",
        "%s. Contact: %s. Reply STOP to unsubscribe.",
        "%s. Reply STOP to unsubscribe.",
        "Not delivered: the recipient has opted out of messages from this number.",
        "The person you are calling has opted out of this service. Goodbye.",
        "You have opted out of this service. Text START to this number to opt back in. Goodbye.",
        "Not delivered: no customer has written to this number lately, so there is nobody to reply to.",
        "No customer has contacted this number lately, so there is nobody to call back. Goodbye.");
  }
}
