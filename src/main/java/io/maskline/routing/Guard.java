package io.maskline.routing;

/**
 * Outcome of the flood and loop checks. They need shared counters, so the edge computes them in
 * Redis and the core only reads the verdict.
 */
public enum Guard {
  CLEAR,
  RATE_LIMITED,
  LOOP_DETECTED
}
