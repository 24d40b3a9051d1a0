package io.maskline.routing;

/** Why the caller gets a short notice instead of being connected. */
public enum NoticeReason {
  TASK_ENDED,
  UNKNOWN_NUMBER
}
