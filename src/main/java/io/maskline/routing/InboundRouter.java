package io.maskline.routing;

import io.maskline.routing.Decision.AdminDial;
import io.maskline.routing.Decision.AdminSms;
import io.maskline.routing.Decision.Dial;
import io.maskline.routing.Decision.EmailOrg;
import io.maskline.routing.Decision.ForwardSms;
import io.maskline.routing.Decision.Notice;
import io.maskline.routing.Decision.Reject;

/**
 * The routing rules of DESIGN.md ("Routing rules"): facts about one inbound in, a {@link Decision}
 * out. Pure: no I/O, no clock, no state, so every rule is a row in a table test.
 *
 * <p>{@link OrgRouting#anonymize()} is not consulted: without it no binding is made in the first
 * place, and a binding made before the setting changed runs to its end.
 */
public final class InboundRouter {

  private InboundRouter() {}

  public static Decision decide(RoutingFacts facts) {
    RejectReason rejected =
        switch (facts.guard()) {
          case CLEAR -> null;
          case RATE_LIMITED -> RejectReason.RATE_LIMITED;
          case LOOP_DETECTED -> RejectReason.LOOP_DETECTED;
        };
    if (rejected != null) {
      return new Reject(rejected);
    }

    Inbound inbound = facts.inbound();
    CallerContext context = facts.context();
    if (context instanceof CallerContext.Active active) {
      return duringTask(inbound, active, facts.org());
    }
    if (context instanceof CallerContext.Ended ended) {
      // A driver has no business with the recipient once the task is over.
      if (ended.callerRole() == Role.DRIVER) {
        return new Notice(NoticeReason.TASK_ENDED);
      }
      return recipientAfterTask(inbound, facts.org(), facts.proxyDedicatedToOrg(), NoticeReason.TASK_ENDED);
    }
    if (context instanceof CallerContext.DedicatedNumber) {
      // Rule 3: someone we have no history with called the org's own number; the number is the
      // org's by definition, so the dedicated-number flag is not consulted.
      return recipientAfterTask(inbound, facts.org(), true, NoticeReason.UNKNOWN_NUMBER);
    }
    return new Notice(NoticeReason.UNKNOWN_NUMBER);
  }

  /** Rule 1: an open binding (P, caller). */
  private static Decision duringTask(Inbound inbound, CallerContext.Active active, OrgRouting org) {
    // The org's choice applies to recipients only; a driver always reaches the recipient.
    if (active.callerRole() == Role.RECIPIENT && org != null && org.routeRecipientsToAdmin()) {
      EmailReason noAdminPhone =
          inbound.channel() == Channel.SMS
              ? EmailReason.RECIPIENT_TO_ADMIN_NO_PHONE_MESSAGE
              : EmailReason.RECIPIENT_TO_ADMIN_NO_PHONE_CALL;
      return adminOrEmail(inbound, org, EmailReason.RECIPIENT_TO_ADMIN_NO_SMS, noAdminPhone);
    }
    String proxy = inbound.proxyNumber();
    if (inbound.channel() == Channel.SMS) {
      return new ForwardSms(active.counterpart(), proxy, inbound.body());
    }
    // A missing org mirror must not break a live task: connect, but record only on the org's say-so.
    return new Dial(active.counterpart(), proxy, org != null && org.recordCalls());
  }

  /** Rules 2 and 3 for a recipient: no open binding any more. */
  private static Decision recipientAfterTask(
      Inbound inbound, OrgRouting org, boolean proxyDedicatedToOrg, NoticeReason whenOrgMissing) {
    if (org == null) {
      return new Notice(whenOrgMissing);
    }
    EmailReason afterTask =
        inbound.channel() == Channel.SMS ? EmailReason.MESSAGE_AFTER_TASK : EmailReason.MISSED_CALL_AFTER_TASK;
    // Only the org's own number may ring its admin; a shared-pool number speaks for the platform,
    // so the org hears about it by email (seed 000).
    if (!proxyDedicatedToOrg) {
      return new EmailOrg(org.orgId(), org.email(), afterTask);
    }
    return adminOrEmail(inbound, org, EmailReason.MESSAGE_AFTER_TASK, afterTask);
  }

  /** Reach the admin phone on the inbound's channel, or email the org when the phone cannot take it. */
  private static Decision adminOrEmail(
      Inbound inbound, OrgRouting org, EmailReason adminTakesNoSms, EmailReason noAdminPhone) {
    if (!org.hasAdminPhone()) {
      return new EmailOrg(org.orgId(), org.email(), noAdminPhone);
    }
    String proxy = inbound.proxyNumber();
    if (inbound.channel() == Channel.VOICE) {
      return new AdminDial(org.adminPhone(), proxy);
    }
    if (org.adminPhoneAcceptsSms()) {
      return new AdminSms(org.adminPhone(), proxy, inbound.body());
    }
    return new EmailOrg(org.orgId(), org.email(), adminTakesNoSms);
  }
}
