package io.maskline.routing;

/** Why the caller gets a short notice instead of being connected. */
public enum NoticeReason {
  TASK_ENDED,
  UNKNOWN_NUMBER,
  /** The caller opted out of the org's traffic; nothing of theirs is forwarded until they opt back in. */
  CALLER_OPTED_OUT,
  /** The recipient this message is for opted out: it is not delivered, and the sender is told so. */
  RECIPIENT_OPTED_OUT,
  /** The admin texted or called the org's own number, and no recipient's message came through it lately. */
  NOBODY_TO_REPLY_TO,
  /** The decision would have reached the caller's own phone (a loop): nothing is connected. */
  OWN_NUMBER
}
