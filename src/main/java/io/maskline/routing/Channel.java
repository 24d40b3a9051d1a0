package io.maskline.routing;

/** How an inbound interaction reached the proxy number. */
public enum Channel {
  SMS,
  VOICE
}
