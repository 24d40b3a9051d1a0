package io.maskline.routing;

import java.util.Objects;

/**
 * One SMS or call reaching proxy number P from a caller; numbers already E.164.
 *
 * @param body the message text; null for voice. An SMS without text (media only) gets "" so a
 *     forward never carries a null body.
 */
public record Inbound(Channel channel, String proxyNumber, String caller, String body) {

  public Inbound {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(proxyNumber, "proxyNumber");
    Objects.requireNonNull(caller, "caller");
    if (channel == Channel.SMS && body == null) {
      body = "";
    }
  }
}
