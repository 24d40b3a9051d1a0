package io.maskline.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskline.routing.CallerContext.Active;
import io.maskline.routing.CallerContext.DedicatedNumber;
import io.maskline.routing.CallerContext.Ended;
import io.maskline.routing.CallerContext.Unknown;
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
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class InboundRouterTest {

  static final String P = "+4740000001"; // acme's dedicated number
  static final String SHARED_P = "+4740000099"; // a shared-pool number
  static final String DRIVER = "+4791111111";
  static final String RECIPIENT = "+4792222222";
  static final String STRANGER = "+4794444444";
  static final String ADMIN = "+4793333333";
  static final String ORG = "acme";
  static final String EMAIL = "dispatch@acme.example";
  static final String HISTORY_ORG = "bringit"; // the org of an ended task on a shared-pool number
  static final String HISTORY_EMAIL = "ops@bringit.example";
  static final String TASK = "task-42";
  static final String BODY = "I'm at the door";
  static final String NAME = "Acme Deliveries";

  /** One row of the rule table; the name is what the test report shows. */
  record Case(String name, RoutingFacts facts, Decision expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  // --- the rule table -------------------------------------------------------------------------

  static Stream<Case> rules() {
    OrgRouting acme = org(ADMIN, true, false, false);
    OrgRouting recording = org(ADMIN, true, false, true);
    OrgRouting toAdmin = org(ADMIN, true, true, false);
    OrgRouting toAdminNoSms = org(ADMIN, false, true, false);
    OrgRouting toAdminNoPhone = org(null, true, true, false);
    OrgRouting noSms = org(ADMIN, false, false, false);
    OrgRouting noPhone = org(null, true, false, false);
    OrgRouting blankPhone = org("  ", true, false, false);
    OrgRouting history = new OrgRouting(HISTORY_ORG, HISTORY_EMAIL, "+4795555555", true, true, false, false);
    OrgRouting named = new OrgRouting(ORG, NAME, EMAIL, ADMIN, true, true, false, false);

    Active driverActive = new Active(ORG, TASK, Role.DRIVER, RECIPIENT);
    Active recipientActive = new Active(ORG, TASK, Role.RECIPIENT, DRIVER);
    Ended driverEnded = new Ended(ORG, TASK, Role.DRIVER);
    Ended recipientEnded = new Ended(ORG, TASK, Role.RECIPIENT);
    Ended recipientEndedShared = new Ended(HISTORY_ORG, TASK, Role.RECIPIENT);
    DedicatedNumber dedicated = new DedicatedNumber(ORG);

    return Stream.of(
        // Guards come first, whatever else is known.
        new Case("rate limited sms is rejected", guarded(sms(P, DRIVER), driverActive, acme, Guard.RATE_LIMITED),
            new Reject(RejectReason.RATE_LIMITED)),
        new Case("rate limited call is rejected", guarded(call(P, DRIVER), driverActive, acme, Guard.RATE_LIMITED),
            new Reject(RejectReason.RATE_LIMITED)),
        new Case("looping sms is rejected", guarded(sms(P, RECIPIENT), recipientActive, acme, Guard.LOOP_DETECTED),
            new Reject(RejectReason.LOOP_DETECTED)),
        new Case("looping call is rejected", guarded(call(P, RECIPIENT), recipientActive, acme, Guard.LOOP_DETECTED),
            new Reject(RejectReason.LOOP_DETECTED)),
        new Case("guard beats post-task admin routing", guarded(sms(P, RECIPIENT), recipientEnded, acme, Guard.RATE_LIMITED),
            new Reject(RejectReason.RATE_LIMITED)),
        new Case("guard beats unknown number", guarded(call(P, STRANGER), new Unknown(), null, Guard.LOOP_DETECTED),
            new Reject(RejectReason.LOOP_DETECTED)),

        // Rule 1: active binding, forward to the counterpart through P.
        new Case("active driver sms reaches recipient from P", facts(sms(P, DRIVER), driverActive, acme, true),
            new ForwardSms(RECIPIENT, P, BODY)),
        new Case("active driver call reaches recipient with P as caller id", facts(call(P, DRIVER), driverActive, acme, true),
            new Dial(RECIPIENT, P, false)),
        new Case("active recipient sms reaches driver from P", facts(sms(P, RECIPIENT), recipientActive, acme, true),
            new ForwardSms(DRIVER, P, BODY)),
        new Case("active recipient call reaches driver with P as caller id", facts(call(P, RECIPIENT), recipientActive, acme, true),
            new Dial(DRIVER, P, false)),
        new Case("active call is recorded when the org records calls", facts(call(P, DRIVER), driverActive, recording, true),
            new Dial(RECIPIENT, P, true)),
        new Case("active sms on a shared-pool number is forwarded from that number",
            facts(sms(SHARED_P, DRIVER), driverActive, acme, false), new ForwardSms(RECIPIENT, SHARED_P, BODY)),
        new Case("active call on a shared-pool number is dialled from that number",
            facts(call(SHARED_P, RECIPIENT), recipientActive, recording, false), new Dial(DRIVER, SHARED_P, true)),
        new Case("active driver sms still reaches recipient when org routes recipients to admin",
            facts(sms(P, DRIVER), driverActive, toAdmin, true), new ForwardSms(RECIPIENT, P, BODY)),
        new Case("active driver call still reaches recipient when org routes recipients to admin",
            facts(call(P, DRIVER), driverActive, toAdmin, true), new Dial(RECIPIENT, P, false)),
        new Case("active sms is forwarded even when the org mirror is missing",
            facts(sms(P, RECIPIENT), recipientActive, null, true), new ForwardSms(DRIVER, P, BODY)),
        new Case("active call connects unrecorded when the org mirror is missing",
            facts(call(P, DRIVER), driverActive, null, true), new Dial(RECIPIENT, P, false)),

        // Rule 1: the org routes recipients to its admin.
        new Case("active recipient sms goes to admin when org routes recipients to admin",
            facts(sms(P, RECIPIENT), recipientActive, toAdmin, true), new AdminSms(ADMIN, P, BODY)),
        new Case("active recipient call goes to admin when org routes recipients to admin",
            facts(call(P, RECIPIENT), recipientActive, toAdmin, true), new AdminDial(ADMIN, P)),
        new Case("active recipient sms on a shared-pool number goes to admin too",
            facts(sms(SHARED_P, RECIPIENT), recipientActive, toAdmin, false), new AdminSms(ADMIN, SHARED_P, BODY)),
        new Case("active recipient sms is emailed when admin phone takes no sms",
            facts(sms(P, RECIPIENT), recipientActive, toAdminNoSms, true),
            new EmailOrg(ORG, EMAIL, EmailReason.RECIPIENT_TO_ADMIN_NO_SMS)),
        new Case("active recipient call still rings an admin phone that takes no sms",
            facts(call(P, RECIPIENT), recipientActive, toAdminNoSms, true), new AdminDial(ADMIN, P)),
        new Case("active recipient sms is emailed when org has no admin phone",
            facts(sms(P, RECIPIENT), recipientActive, toAdminNoPhone, true),
            new EmailOrg(ORG, EMAIL, EmailReason.RECIPIENT_TO_ADMIN_NO_PHONE_MESSAGE)),
        new Case("active recipient call is emailed when org has no admin phone",
            facts(call(P, RECIPIENT), recipientActive, toAdminNoPhone, true),
            new EmailOrg(ORG, EMAIL, EmailReason.RECIPIENT_TO_ADMIN_NO_PHONE_CALL)),

        // Rule 2: the task has ended.
        new Case("driver sms after task end gets the task-ended notice", facts(sms(P, DRIVER), driverEnded, acme, true),
            new Notice(NoticeReason.TASK_ENDED)),
        new Case("driver call after task end gets the task-ended notice", facts(call(P, DRIVER), driverEnded, acme, true),
            new Notice(NoticeReason.TASK_ENDED)),
        new Case("recipient sms after task end on dedicated number reaches admin accepting sms",
            facts(sms(P, RECIPIENT), recipientEnded, acme, true), new AdminSms(ADMIN, P, BODY)),
        new Case("recipient call after task end on dedicated number rings admin with P as caller id",
            facts(call(P, RECIPIENT), recipientEnded, acme, true), new AdminDial(ADMIN, P)),
        new Case("recipient sms after task end is emailed when admin phone takes no sms",
            facts(sms(P, RECIPIENT), recipientEnded, noSms, true),
            new EmailOrg(ORG, EMAIL, EmailReason.MESSAGE_AFTER_TASK)),
        new Case("recipient call after task end rings an admin phone that takes no sms",
            facts(call(P, RECIPIENT), recipientEnded, noSms, true), new AdminDial(ADMIN, P)),
        new Case("recipient sms after task end is emailed when org has no admin phone",
            facts(sms(P, RECIPIENT), recipientEnded, noPhone, true),
            new EmailOrg(ORG, EMAIL, EmailReason.MESSAGE_AFTER_TASK)),
        new Case("recipient call after task end is emailed as missed when org has no admin phone",
            facts(call(P, RECIPIENT), recipientEnded, noPhone, true),
            new EmailOrg(ORG, EMAIL, EmailReason.MISSED_CALL_AFTER_TASK)),
        new Case("a blank admin phone counts as none",
            facts(call(P, RECIPIENT), recipientEnded, blankPhone, true),
            new EmailOrg(ORG, EMAIL, EmailReason.MISSED_CALL_AFTER_TASK)),
        new Case("recipient sms after task end on shared pool is emailed to the history's org",
            facts(sms(SHARED_P, RECIPIENT), recipientEndedShared, history, false),
            new EmailOrg(HISTORY_ORG, HISTORY_EMAIL, EmailReason.MESSAGE_AFTER_TASK)),
        new Case("recipient call after task end on shared pool is emailed as missed to the history's org",
            facts(call(SHARED_P, RECIPIENT), recipientEndedShared, history, false),
            new EmailOrg(HISTORY_ORG, HISTORY_EMAIL, EmailReason.MISSED_CALL_AFTER_TASK)),
        new Case("recipient sms after task end gets the task-ended notice when the org mirror is missing",
            facts(sms(P, RECIPIENT), recipientEnded, null, true), new Notice(NoticeReason.TASK_ENDED)),
        new Case("recipient call after task end gets the task-ended notice when the org mirror is missing",
            facts(call(P, RECIPIENT), recipientEnded, null, true), new Notice(NoticeReason.TASK_ENDED)),

        // Rule 3: no history, but P is an org's dedicated number.
        new Case("sms to a dedicated number without history reaches that org's admin",
            facts(sms(P, STRANGER), dedicated, acme, true), new AdminSms(ADMIN, P, BODY)),
        new Case("call to a dedicated number without history rings that org's admin",
            facts(call(P, STRANGER), dedicated, acme, true), new AdminDial(ADMIN, P)),
        new Case("sms to a dedicated number is emailed when admin phone takes no sms",
            facts(sms(P, STRANGER), dedicated, noSms, true), new EmailOrg(ORG, EMAIL, EmailReason.MESSAGE_AFTER_TASK)),
        new Case("call to a dedicated number rings an admin phone that takes no sms",
            facts(call(P, STRANGER), dedicated, noSms, true), new AdminDial(ADMIN, P)),
        new Case("sms to a dedicated number is emailed when org has no admin phone",
            facts(sms(P, STRANGER), dedicated, noPhone, true), new EmailOrg(ORG, EMAIL, EmailReason.MESSAGE_AFTER_TASK)),
        new Case("call to a dedicated number is emailed as missed when org has no admin phone",
            facts(call(P, STRANGER), dedicated, noPhone, true),
            new EmailOrg(ORG, EMAIL, EmailReason.MISSED_CALL_AFTER_TASK)),
        new Case("a dedicated number is the org's even if the flag was not set",
            facts(call(P, STRANGER), dedicated, acme, false), new AdminDial(ADMIN, P)),
        new Case("sms to a dedicated number of a missing org gets the unknown-number notice",
            facts(sms(P, STRANGER), dedicated, null, true), new Notice(NoticeReason.UNKNOWN_NUMBER)),
        new Case("call to a dedicated number of a missing org gets the unknown-number notice",
            facts(call(P, STRANGER), dedicated, null, true), new Notice(NoticeReason.UNKNOWN_NUMBER)),

        // Opt-out keywords: a recipient's (or a stranger's on the org's number) whole message, trimmed, any case.
        new Case("STOP from a recipient during a task opts them out", facts(sms(P, RECIPIENT, "STOP"), recipientActive, named, true),
            new OptOut(ORG, NAME)),
        new Case("a trimmed lower-case stop after the task opts out", facts(sms(P, RECIPIENT, "  stop \n"), recipientEnded, named, true),
            new OptOut(ORG, NAME)),
        new Case("Unsubscribe from a stranger on the org's number opts out", facts(sms(P, STRANGER, "Unsubscribe"), dedicated, named, true),
            new OptOut(ORG, NAME)),
        new Case("STOPALL, CANCEL, END and QUIT opt out too", facts(sms(SHARED_P, RECIPIENT, "quit"), recipientEndedShared, history, false),
            new OptOut(HISTORY_ORG, null)),
        new Case("STOP is recorded for the binding's org even without its mirror", facts(sms(P, RECIPIENT, "End"), recipientActive, null, true),
            new OptOut(ORG, null)),
        new Case("START opts a recipient back in", facts(sms(P, RECIPIENT, "start"), recipientActive, named, true, true, null),
            new OptIn(ORG, NAME)),
        new Case("YES opts back in after the task", facts(sms(P, RECIPIENT, "YES"), recipientEnded, named, true, true, null),
            new OptIn(ORG, NAME)),
        new Case("YES from a recipient who never opted out is an answer to the driver",
            facts(sms(P, RECIPIENT, "Yes"), recipientActive, named, true), new ForwardSms(DRIVER, P, "Yes")),
        new Case("START from a recipient who never opted out after the task reaches the admin as any message",
            facts(sms(P, RECIPIENT, "start"), recipientEnded, acme, true), new AdminSms(ADMIN, P, "start")),
        new Case("HELP names the org and its email", facts(sms(P, RECIPIENT, "Help"), recipientActive, named, true),
            new Help(NAME, EMAIL)),
        new Case("HELP from someone opted out is answered all the same", facts(sms(P, STRANGER, "HELP"), dedicated, named, true, true, null),
            new Help(NAME, EMAIL)),
        new Case("a keyword inside a sentence is an ordinary message", facts(sms(P, RECIPIENT, "please stop by"), recipientActive, named, true),
            new ForwardSms(DRIVER, P, "please stop by")),
        new Case("a driver's STOP is an ordinary message to the recipient", facts(sms(P, DRIVER, "STOP"), driverActive, named, true),
            new ForwardSms(RECIPIENT, P, "STOP")),
        new Case("STOP to a number nobody knows records nothing", facts(sms(SHARED_P, STRANGER, "STOP"), new Unknown(), null, false),
            new Notice(NoticeReason.UNKNOWN_NUMBER)),

        // Opted out: nothing of the recipient's is forwarded; what is written to them is not delivered.
        new Case("an opted-out recipient's message during a task is not forwarded",
            facts(sms(P, RECIPIENT), recipientActive, acme, true, true, null), new Notice(NoticeReason.CALLER_OPTED_OUT)),
        new Case("an opted-out recipient's call during a task is not connected",
            facts(call(P, RECIPIENT), recipientActive, acme, true, true, null), new Notice(NoticeReason.CALLER_OPTED_OUT)),
        new Case("an opted-out recipient's message after the task does not reach the admin",
            facts(sms(P, RECIPIENT), recipientEnded, acme, true, true, null), new Notice(NoticeReason.CALLER_OPTED_OUT)),
        new Case("an opted-out stranger's call to the org's number does not ring the admin",
            facts(call(P, STRANGER), dedicated, acme, true, true, null), new Notice(NoticeReason.CALLER_OPTED_OUT)),
        new Case("a driver's message to an opted-out recipient is not delivered and the driver is told",
            facts(sms(P, DRIVER), driverActive, null, true, true, null), new Notice(NoticeReason.RECIPIENT_OPTED_OUT)),
        new Case("a driver's call to an opted-out recipient still connects (opt-out covers messages)",
            facts(call(P, DRIVER), driverActive, acme, true, true, null), new Dial(RECIPIENT, P, false)),

        // The admin on the org's own number: replies go back to the last recipient who reached them through it.
        new Case("the admin's text to the org's number goes back to the last recipient, from the number",
            facts(sms(P, ADMIN), dedicated, acme, true, false, new ReplyTarget(RECIPIENT, false)), new ForwardSms(RECIPIENT, P, BODY)),
        new Case("the admin's call to the org's number rings the last recipient with the number as caller id",
            facts(call(P, ADMIN), dedicated, recording, true, false, new ReplyTarget(RECIPIENT, false)), new Dial(RECIPIENT, P, true)),
        new Case("the admin replies as admin even with a history of their own on the number",
            facts(sms(P, ADMIN), new Ended(ORG, TASK, Role.RECIPIENT), acme, true, false, new ReplyTarget(RECIPIENT, false)),
            new ForwardSms(RECIPIENT, P, BODY)),
        new Case("the admin's text with nobody to reply to gets a notice, never their own phone",
            facts(sms(P, ADMIN), dedicated, acme, true), new Notice(NoticeReason.NOBODY_TO_REPLY_TO)),
        new Case("the admin's call with nobody to call back gets a notice, never their own phone",
            facts(call(P, ADMIN), dedicated, acme, true), new Notice(NoticeReason.NOBODY_TO_REPLY_TO)),
        new Case("the admin's reply to an opted-out recipient is not delivered and the admin is told",
            facts(sms(P, ADMIN), dedicated, acme, true, false, new ReplyTarget(RECIPIENT, true)), new Notice(NoticeReason.RECIPIENT_OPTED_OUT)),
        new Case("a recipient who is the org's admin is never routed to their own phone",
            facts(sms(SHARED_P, ADMIN), new Active(ORG, TASK, Role.RECIPIENT, DRIVER), toAdmin, false), new Notice(NoticeReason.OWN_NUMBER)),
        new Case("a recipient's call that would ring their own admin phone is not connected",
            facts(call(SHARED_P, ADMIN), new Active(ORG, TASK, Role.RECIPIENT, DRIVER), toAdmin, false), new Notice(NoticeReason.OWN_NUMBER)),

        // Rule 4: nothing known.
        new Case("sms from an unknown caller to an unknown number gets the unknown-number notice",
            facts(sms(SHARED_P, STRANGER), new Unknown(), null, false), new Notice(NoticeReason.UNKNOWN_NUMBER)),
        new Case("call from an unknown caller to an unknown number gets the unknown-number notice",
            facts(call(SHARED_P, STRANGER), new Unknown(), null, false), new Notice(NoticeReason.UNKNOWN_NUMBER)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void routesByTheRuleTable(Case rule) {
    assertThat(InboundRouter.decide(rule.facts())).isEqualTo(rule.expected());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void ruleTableKeepsRealNumbersFromTheWrongParty(Case rule) {
    assertKeepsNumbersPrivate(rule.facts(), InboundRouter.decide(rule.facts()));
  }

  @Test
  void ruleTableCoversEveryDecisionOnBothChannels() {
    List<Case> cases = rules().collect(Collectors.toList());
    Set<Class<?>> decided = cases.stream().map(c -> c.expected().getClass()).collect(Collectors.toSet());
    assertThat(decided).containsExactlyInAnyOrder(Decision.class.getPermittedSubclasses());

    Set<String> contextsByChannel = new HashSet<>();
    for (Case c : cases) {
      contextsByChannel.add(c.facts().inbound().channel() + " " + c.facts().context().getClass().getSimpleName());
    }
    assertThat(contextsByChannel)
        .containsExactlyInAnyOrder(
            "SMS Active", "VOICE Active", "SMS Ended", "VOICE Ended",
            "SMS DedicatedNumber", "VOICE DedicatedNumber", "SMS Unknown", "VOICE Unknown");
  }

  /** The privacy invariant and channel consistency over every combination of facts, not just the table. */
  @Test
  void everyCombinationOfFactsKeepsRealNumbersPrivateAndStaysOnItsChannel() {
    List<RoutingFacts> combinations = allCombinations();
    assertThat(combinations).hasSizeGreaterThan(10_000);
    for (RoutingFacts facts : combinations) {
      Decision decision = InboundRouter.decide(facts);
      assertKeepsNumbersPrivate(facts, decision);
      if (facts.guard() != Guard.CLEAR) {
        assertThat(decision).as("%s", facts).isInstanceOf(Reject.class);
      }
      if (facts.inbound().channel() == Channel.SMS) {
        assertThat(decision).as("%s", facts).isNotInstanceOfAny(Dial.class, AdminDial.class);
      } else {
        assertThat(decision).as("%s", facts).isNotInstanceOfAny(ForwardSms.class, AdminSms.class, OptOut.class, OptIn.class, Help.class);
      }
      // Never forward a party to itself.
      assertThat(componentsHolding(decision, facts.inbound().caller())).as("%s -> %s", facts, decision).isEmpty();
    }
  }

  /** route_inbound.lua leaves the org's hash unread for exactly these facts: the org must not be able to matter. */
  @Test
  void aDriversMessageDuringATaskIsDecidedWithoutTheOrgsFacts() {
    List<RoutingFacts> driverMessages = allCombinations().stream()
        .filter(f -> f.inbound().channel() == Channel.SMS
            && f.context() instanceof Active active && active.callerRole() == Role.DRIVER)
        .toList();
    assertThat(driverMessages).hasSizeGreaterThan(100);
    for (RoutingFacts facts : driverMessages) {
      RoutingFacts withoutOrg = new RoutingFacts(facts.inbound(), facts.context(), null, facts.proxyDedicatedToOrg(), facts.guard(),
          facts.recipientOptedOut(), facts.replyTarget());
      assertThat(InboundRouter.decide(withoutOrg)).as("%s", facts).isEqualTo(InboundRouter.decide(facts));
    }
  }

  @Test
  void routedToNamesWhereTheInboundWent() {
    assertThat(new ForwardSms(RECIPIENT, P, BODY).routedTo()).isEqualTo("counterpart");
    assertThat(new Dial(RECIPIENT, P, true).routedTo()).isEqualTo("counterpart");
    assertThat(new AdminSms(ADMIN, P, BODY).routedTo()).isEqualTo("admin");
    assertThat(new AdminDial(ADMIN, P).routedTo()).isEqualTo("admin");
    assertThat(new EmailOrg(ORG, EMAIL, EmailReason.MESSAGE_AFTER_TASK).routedTo()).isEqualTo("email");
    assertThat(new Notice(NoticeReason.UNKNOWN_NUMBER).routedTo()).isEqualTo("none");
    assertThat(new Reject(RejectReason.RATE_LIMITED).routedTo()).isEqualTo("none");
  }

  @Test
  void smsWithoutTextIsForwardedWithAnEmptyBody() {
    RoutingFacts facts =
        facts(new Inbound(Channel.SMS, P, DRIVER, null), new Active(ORG, TASK, Role.DRIVER, RECIPIENT),
            org(ADMIN, true, false, false), true);
    assertThat(InboundRouter.decide(facts)).isEqualTo(new ForwardSms(RECIPIENT, P, ""));
  }

  @Test
  void factsRefuseSettingsOfAnotherOrg() {
    OrgRouting other = new OrgRouting("other", "x@other.example", ADMIN, true, true, true, false);
    assertThatThrownBy(() -> facts(sms(P, RECIPIENT), new Ended(ORG, TASK, Role.RECIPIENT), other, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> facts(sms(P, STRANGER), new Unknown(), other, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- the invariant ----------------------------------------------------------------------------

  /**
   * Whatever reaches a phone comes from P; the caller's own number is in no decision; a party's
   * real number appears only as the {@code to} of a forward, and only to the caller's counterpart
   * in an open binding.
   */
  static void assertKeepsNumbersPrivate(RoutingFacts facts, Decision decision) {
    String proxy = facts.inbound().proxyNumber();
    String caller = facts.inbound().caller();
    String described = facts + " -> " + decision;

    String presentedAs = presentedNumber(decision);
    if (presentedAs != null) {
      assertThat(presentedAs).as("from/callerId of %s", described).isEqualTo(proxy);
    }

    String allowedTo = null;
    if (facts.context() instanceof Active active && (decision instanceof ForwardSms || decision instanceof Dial)) {
      allowedTo = active.counterpart();
    } else if (facts.replyTarget() != null && (decision instanceof ForwardSms || decision instanceof Dial)) {
      // The admin's reply on the org's own number reaches the recipient who wrote to them last.
      allowedTo = facts.replyTarget().phone();
    }
    for (String party : List.of(DRIVER, RECIPIENT, STRANGER)) {
      List<String> where = componentsHolding(decision, party);
      if (party.equals(caller)) {
        assertThat(where).as("caller's own number in %s", described).isEmpty();
      } else if (party.equals(allowedTo)) {
        assertThat(where).as("counterpart reached through P in %s", described).containsExactly("to");
      } else {
        assertThat(where).as("another party's number in %s", described).isEmpty();
      }
    }
  }

  /** The number the receiving phone sees the interaction come from, if the decision reaches a phone. */
  static String presentedNumber(Decision decision) {
    if (decision instanceof ForwardSms forward) return forward.from();
    if (decision instanceof Dial dial) return dial.callerId();
    if (decision instanceof AdminSms admin) return admin.from();
    if (decision instanceof AdminDial admin) return admin.callerId();
    return null;
  }

  /** Names of the decision's components whose value contains {@code number}, found generically. */
  static List<String> componentsHolding(Decision decision, String number) {
    List<String> names = new ArrayList<>();
    for (RecordComponent component : decision.getClass().getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(decision);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      if (value instanceof String text && text.contains(number)) {
        names.add(component.getName());
      }
    }
    return names;
  }

  // --- fixtures ---------------------------------------------------------------------------------

  static OrgRouting org(String adminPhone, boolean acceptsSms, boolean routeRecipientsToAdmin, boolean recordCalls) {
    return new OrgRouting(ORG, EMAIL, adminPhone, acceptsSms, true, routeRecipientsToAdmin, recordCalls);
  }

  static Inbound sms(String proxy, String caller) {
    return sms(proxy, caller, BODY);
  }

  static Inbound sms(String proxy, String caller, String body) {
    return new Inbound(Channel.SMS, proxy, caller, body);
  }

  static Inbound call(String proxy, String caller) {
    return new Inbound(Channel.VOICE, proxy, caller, null);
  }

  static RoutingFacts facts(Inbound inbound, CallerContext context, OrgRouting org, boolean dedicated) {
    return new RoutingFacts(inbound, context, org, dedicated, Guard.CLEAR);
  }

  static RoutingFacts facts(Inbound inbound, CallerContext context, OrgRouting org, boolean dedicated, boolean recipientOptedOut,
      ReplyTarget replyTarget) {
    return new RoutingFacts(inbound, context, org, dedicated, Guard.CLEAR, recipientOptedOut, replyTarget);
  }

  static RoutingFacts guarded(Inbound inbound, CallerContext context, OrgRouting org, Guard guard) {
    return new RoutingFacts(inbound, context, org, true, guard);
  }

  static List<RoutingFacts> allCombinations() {
    List<OrgRouting> orgs = new ArrayList<>();
    orgs.add(null);
    for (String adminPhone : Arrays.asList(ADMIN, null, "")) {
      for (boolean acceptsSms : List.of(true, false)) {
        for (boolean toAdmin : List.of(true, false)) {
          for (boolean record : List.of(true, false)) {
            orgs.add(org(adminPhone, acceptsSms, toAdmin, record));
          }
        }
      }
    }
    List<CallerContext> contexts =
        List.of(
            new Active(ORG, TASK, Role.DRIVER, RECIPIENT),
            new Active(ORG, TASK, Role.RECIPIENT, DRIVER),
            new Ended(ORG, TASK, Role.DRIVER),
            new Ended(ORG, TASK, Role.RECIPIENT),
            new DedicatedNumber(ORG),
            new Unknown());

    List<RoutingFacts> all = new ArrayList<>();
    List<ReplyTarget> replyTargets = Arrays.asList(null, new ReplyTarget(RECIPIENT, false), new ReplyTarget(RECIPIENT, true));
    for (Channel channel : Channel.values()) {
      for (CallerContext context : contexts) {
        // The org's admin on the org's number: as a stranger, or with a history of their own on it.
        List<String> callers = context instanceof DedicatedNumber || context instanceof Ended ended && ended.callerRole() == Role.RECIPIENT
            ? List.of(callerIn(context), ADMIN) : List.of(callerIn(context));
        for (String caller : callers) {
          for (String body : channel == Channel.SMS ? List.of(BODY, " Stop ", "start", "HELP") : Arrays.asList((String) null)) {
            Inbound inbound = new Inbound(channel, P, caller, body);
            for (OrgRouting org : orgs) {
              if (context instanceof Unknown && org != null) {
                continue;
              }
              for (boolean dedicated : List.of(true, false)) {
                for (Guard guard : Guard.values()) {
                  for (boolean optedOut : List.of(false, true)) {
                    for (ReplyTarget target : caller.equals(ADMIN) ? replyTargets : Arrays.asList((ReplyTarget) null)) {
                      all.add(new RoutingFacts(inbound, context, org, dedicated, guard, optedOut, target));
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return all;
  }

  private static String callerIn(CallerContext context) {
    Role role =
        context instanceof Active active ? active.callerRole()
            : context instanceof Ended ended ? ended.callerRole()
            : null;
    if (role == null) return STRANGER;
    return role == Role.DRIVER ? DRIVER : RECIPIENT;
  }
}
