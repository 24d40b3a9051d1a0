package io.maskline.platform.onfleet;

/** What an Onfleet trigger does to the task's session. */
public enum TaskAction {
  OPEN, CLOSE, IGNORE;

  /** 0 taskStarted opens; 3 taskCompleted, 4 taskFailed, 8 taskDeleted close; every other trigger is acknowledged only. */
  public static TaskAction of(int triggerId) {
    return switch (triggerId) {
      case 0 -> OPEN;
      case 3, 4, 8 -> CLOSE;
      default -> IGNORE;
    };
  }
}
