package io.maskline.routing;

import java.util.Objects;

/**
 * What to do with one inbound. Whatever reaches another phone is sent from the proxy number P
 * ({@code from} / {@code callerId}), so no party ever sees another party's real number.
 */
public sealed interface Decision {

  /** Where the inbound went, as stored in the archive's {@code routedTo}: counterpart, admin, email, none. */
  String routedTo();

  /** The phone number or email address the inbound reached, as stored in the archive's {@code to}; "" when none. */
  default String forwardedTo() {
    return "";
  }

  /** Forward the SMS to the other party of the task, sent from P. */
  record ForwardSms(String to, String from, String body) implements Decision {
    public ForwardSms {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(body, "body");
    }

    @Override
    public String forwardedTo() {
      return to;
    }

    @Override
    public String routedTo() {
      return "counterpart";
    }
  }

  /** Connect the call to the other party of the task, showing P as caller ID. */
  record Dial(String to, String callerId, boolean record) implements Decision {
    public Dial {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(callerId, "callerId");
    }

    @Override
    public String forwardedTo() {
      return to;
    }

    @Override
    public String routedTo() {
      return "counterpart";
    }
  }

  /** Pass the SMS on to the org's admin phone, sent from P. */
  record AdminSms(String adminPhone, String from, String body) implements Decision {
    public AdminSms {
      Objects.requireNonNull(adminPhone, "adminPhone");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(body, "body");
    }

    @Override
    public String forwardedTo() {
      return adminPhone;
    }

    @Override
    public String routedTo() {
      return "admin";
    }
  }

  /** Connect the call to the org's admin phone, showing P as caller ID. */
  record AdminDial(String adminPhone, String callerId) implements Decision {
    public AdminDial {
      Objects.requireNonNull(adminPhone, "adminPhone");
      Objects.requireNonNull(callerId, "callerId");
    }

    @Override
    public String forwardedTo() {
      return adminPhone;
    }

    @Override
    public String routedTo() {
      return "admin";
    }
  }

  /** Nothing is connected; the org gets an email with the details. */
  record EmailOrg(String orgId, String email, EmailReason reason) implements Decision {
    public EmailOrg {
      Objects.requireNonNull(orgId, "orgId");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String forwardedTo() {
      return email == null ? "" : email;
    }

    @Override
    public String routedTo() {
      return "email";
    }
  }

  /** Nothing is connected; the caller hears a short notice (an SMS gets no reply). */
  record Notice(NoticeReason reason) implements Decision {
    public Notice {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String routedTo() {
      return "none";
    }
  }

  /** A guard stopped the inbound; nothing is connected. */
  record Reject(RejectReason reason) implements Decision {
    public Reject {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String routedTo() {
      return "none";
    }
  }

  /** The caller opted out of the org's traffic (STOP); the answer confirms it. */
  record OptOut(String orgId, String orgName) implements Decision {
    public OptOut {
      Objects.requireNonNull(orgId, "orgId");
    }

    @Override
    public String routedTo() {
      return "none";
    }
  }

  /** The caller opted back in (START); the answer confirms it. */
  record OptIn(String orgId, String orgName) implements Decision {
    public OptIn {
      Objects.requireNonNull(orgId, "orgId");
    }

    @Override
    public String routedTo() {
      return "none";
    }
  }

  /** The caller asked for HELP: the answer names the org and how to reach it (never a person's phone). */
  record Help(String orgName, String contact) implements Decision {
    @Override
    public String routedTo() {
      return "none";
    }
  }
}
