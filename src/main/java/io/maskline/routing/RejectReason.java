package io.maskline.routing;

/** Why a guard stopped an inbound before any routing. */
public enum RejectReason {
  RATE_LIMITED,
  LOOP_DETECTED
}
