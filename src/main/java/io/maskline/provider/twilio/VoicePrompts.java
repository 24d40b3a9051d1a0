package io.maskline.provider.twilio;

import java.util.Objects;

/**
 * What a caller hears when a call is not connected. Each text is spoken once, then the call hangs
 * up, so keep them short.
 *
 * @param taskEnded a driver (or a recipient we cannot place) calls after the task ended
 * @param unknownNumber nothing ties the caller and the number to any org
 * @param rateLimited a flood or loop guard stopped the call
 * @param messageTaken the call was not connected but the org was emailed about it
 * @param unavailable the degraded answer while the gateway cannot route (Redis down)
 */
public record VoicePrompts(
    String taskEnded, String unknownNumber, String rateLimited, String messageTaken, String unavailable) {

  public VoicePrompts {
    // An empty <Say> is an error at the provider; refuse it at start-up, not on a live call.
    requireText(taskEnded, "taskEnded");
    requireText(unknownNumber, "unknownNumber");
    requireText(rateLimited, "rateLimited");
    requireText(messageTaken, "messageTaken");
    requireText(unavailable, "unavailable");
  }

  public static VoicePrompts defaults() {
    return new VoicePrompts(
        "This task is no longer active. Goodbye.",
        "Sorry, this number cannot connect your call. Goodbye.",
        "Too many calls to this number. Please try again later.",
        "We could not connect your call. The organization has been notified and will get back to you.",
        "Sorry, we cannot connect your call right now. Please try again later.");
  }

  private static void requireText(String text, String name) {
    Objects.requireNonNull(text, name);
    if (text.isBlank()) {
      throw new IllegalArgumentException("voice prompt " + name + " is blank");
    }
  }
}
