package io.maskline.routing;

/** The part a caller plays in a task's session. */
public enum Role {
  DRIVER,
  RECIPIENT
}
