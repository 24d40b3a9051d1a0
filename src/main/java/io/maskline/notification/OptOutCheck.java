package io.maskline.notification;

import io.vertx.core.Future;

/** Whether a recipient opted out of an org's traffic (STOP keywords); notifications to them are refused. */
@FunctionalInterface
public interface OptOutCheck {
  Future<Boolean> isOptedOut(String orgId, String phone);
}
