package io.maskline.routing;

import io.maskline.routing.Decision.AdminDial;
import io.maskline.routing.Decision.AdminSms;
import io.maskline.routing.Decision.Dial;
import io.maskline.routing.Decision.EmailOrg;
import io.maskline.routing.Decision.ForwardSms;
import io.maskline.routing.Decision.Help;
import io.maskline.routing.Decision.Notice;
import io.maskline.routing.Decision.OptIn;
import io.maskline.routing.Decision.OptOut;
import io.maskline.routing.Decision.Reject;

/**
 * The routing rules of docs/ROUTING.md: facts about one inbound in, a {@link Decision}
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

    Decision decision = route(facts);
    // Whatever the rules say, no party is ever put through to its own phone (an admin on the org's own number, a
    // recipient who is also the admin): that is a loop, not a conversation.
    String caller = facts.inbound().caller();
    if (caller.equals(reached(decision))) {
      return new Notice(NoticeReason.OWN_NUMBER);
    }
    return decision;
  }

  /**
   * The recipient to remember for the admin's replies on P once {@code decision} is carried out, or null: a
   * recipient's (or stranger's) message outside a task that reached the admin's phone through the org's own number.
   */
  public static String replyTargetToRemember(RoutingFacts facts, Decision decision) {
    boolean outsideTask = facts.context() instanceof CallerContext.Ended || facts.context() instanceof CallerContext.DedicatedNumber;
    return decision instanceof AdminSms && facts.proxyDedicatedToOrg() && outsideTask ? facts.inbound().caller() : null;
  }

  private static Decision route(RoutingFacts facts) {
    Inbound inbound = facts.inbound();
    CallerContext context = facts.context();
    OrgRouting org = facts.org();
    if (isOrgsAdminOnItsOwnNumber(facts)) {
      return adminReply(inbound, facts.replyTarget(), org);
    }
    if (speaksAsRecipient(context)) {
      Keyword keyword = inbound.channel() == Channel.SMS ? Keyword.of(inbound.body()) : null;
      // START/YES/UNSTOP undo an opt-out; from someone who never opted out, "Yes" is an answer to the driver.
      if (keyword == Keyword.OPT_IN && !facts.recipientOptedOut()) {
        keyword = null;
      }
      if (keyword != null) {
        return keywordAnswer(keyword, context.orgId(), org);
      }
      if (facts.recipientOptedOut()) {
        // After STOP nothing of theirs is passed on, and an SMS gets no reply: carriers allow none but the confirmation.
        return new Notice(NoticeReason.CALLER_OPTED_OUT);
      }
    }
    if (context instanceof CallerContext.Active active) {
      if (active.callerRole() == Role.DRIVER && facts.recipientOptedOut() && inbound.channel() == Channel.SMS) {
        return new Notice(NoticeReason.RECIPIENT_OPTED_OUT);
      }
      return duringTask(inbound, active, org);
    }
    if (context instanceof CallerContext.Ended ended) {
      // A driver has no business with the recipient once the task is over.
      if (ended.callerRole() == Role.DRIVER) {
        return new Notice(NoticeReason.TASK_ENDED);
      }
      return recipientAfterTask(inbound, org, facts.proxyDedicatedToOrg(), NoticeReason.TASK_ENDED);
    }
    if (context instanceof CallerContext.DedicatedNumber) {
      // Rule 3: someone we have no history with called the org's own number; the number is the
      // org's by definition, so the dedicated-number flag is not consulted.
      return recipientAfterTask(inbound, org, true, NoticeReason.UNKNOWN_NUMBER);
    }
    return new Notice(NoticeReason.UNKNOWN_NUMBER);
  }

  /** A recipient in or after a task, or a stranger on the org's own number: who keywords and opt-outs apply to. */
  private static boolean speaksAsRecipient(CallerContext context) {
    if (context instanceof CallerContext.Active active) return active.callerRole() == Role.RECIPIENT;
    if (context instanceof CallerContext.Ended ended) return ended.callerRole() == Role.RECIPIENT;
    return context instanceof CallerContext.DedicatedNumber;
  }

  private static Decision keywordAnswer(Keyword keyword, String orgId, OrgRouting org) {
    String orgName = org == null ? null : org.name();
    return switch (keyword) {
      case OPT_OUT -> new OptOut(orgId, orgName);
      case OPT_IN -> new OptIn(orgId, orgName);
      // The org's email is its public contact; the admin phone is a person's real number and stays masked.
      case HELP -> new Help(orgName, org == null ? null : org.email());
    };
  }

  /** The org's admin texting or calling one of its own numbers outside any task of theirs on it. */
  private static boolean isOrgsAdminOnItsOwnNumber(RoutingFacts facts) {
    OrgRouting org = facts.org();
    boolean outsideTask = !(facts.context() instanceof CallerContext.Active);
    return outsideTask && org != null && facts.proxyDedicatedToOrg() && org.isAdminPhone(facts.inbound().caller());
  }

  /** The admin's text or call goes back to the recipient who last reached them through P, masked as P. */
  private static Decision adminReply(Inbound inbound, ReplyTarget target, OrgRouting org) {
    if (target == null) {
      return new Notice(NoticeReason.NOBODY_TO_REPLY_TO);
    }
    if (target.optedOut()) {
      return new Notice(NoticeReason.RECIPIENT_OPTED_OUT);
    }
    String proxy = inbound.proxyNumber();
    return inbound.channel() == Channel.SMS
        ? new ForwardSms(target.phone(), proxy, inbound.body())
        : new Dial(target.phone(), proxy, org.recordCalls());
  }

  /** The phone a decision puts the inbound through to, or null when it reaches no phone. */
  private static String reached(Decision decision) {
    if (decision instanceof ForwardSms d) return d.to();
    if (decision instanceof Dial d) return d.to();
    if (decision instanceof AdminSms d) return d.adminPhone();
    if (decision instanceof AdminDial d) return d.adminPhone();
    return null;
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
