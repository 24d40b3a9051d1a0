package io.maskline.routing;

import java.util.Objects;

/**
 * The recipient an admin's text or call to the org's dedicated number P goes back to: the one whose message most
 * recently reached the admin through P after (or without) a task, within the session history window.
 *
 * @param phone E.164
 * @param optedOut whether that recipient opted out of the org's traffic
 */
public record ReplyTarget(String phone, boolean optedOut) {
  public ReplyTarget {
    Objects.requireNonNull(phone, "phone");
  }
}
