package io.maskline.routing;

import java.util.Objects;

/** What Redis knows about the pair (proxy number P, caller C) when the inbound arrives. */
public sealed interface CallerContext {

  /** The org the context points at, or null for {@link Unknown}. */
  String orgId();

  /** An open binding (P, C) exists: C is in a running task and {@code counterpart} is the other party. */
  record Active(String orgId, String taskId, Role callerRole, String counterpart) implements CallerContext {
    public Active {
      Objects.requireNonNull(orgId, "orgId");
      Objects.requireNonNull(callerRole, "callerRole");
      Objects.requireNonNull(counterpart, "counterpart");
    }
  }

  /** No open binding, but a history entry (P, C): C was in a task on P that has ended. */
  record Ended(String orgId, String taskId, Role callerRole) implements CallerContext {
    public Ended {
      Objects.requireNonNull(orgId, "orgId");
      Objects.requireNonNull(callerRole, "callerRole");
    }
  }

  /** Neither binding nor history, but P is this org's dedicated number. */
  record DedicatedNumber(String orgId) implements CallerContext {
    public DedicatedNumber {
      Objects.requireNonNull(orgId, "orgId");
    }
  }

  /** Nothing ties P and C to any org. */
  record Unknown() implements CallerContext {
    @Override
    public String orgId() {
      return null;
    }
  }
}
