package io.maskline.routing;

/** Why an inbound ends up as an email to the org; tells the mailer which text to write. */
public enum EmailReason {
  /** A recipient texted after the task ended (or a dedicated number without any task). */
  MESSAGE_AFTER_TASK,
  /** A recipient called after the task ended and no admin phone could take the call. */
  MISSED_CALL_AFTER_TASK,
  /** During a task, recipients go to the admin, but the admin phone takes no SMS. */
  RECIPIENT_TO_ADMIN_NO_SMS,
  /** During a task, recipients go to the admin, but the org has no admin phone: a message. */
  RECIPIENT_TO_ADMIN_NO_PHONE_MESSAGE,
  /** During a task, recipients go to the admin, but the org has no admin phone: a missed call. */
  RECIPIENT_TO_ADMIN_NO_PHONE_CALL
}
