package io.maskline.routing;

import java.util.Objects;

/**
 * The routing settings of one org, as mirrored to Redis when the org is written.
 *
 * @param adminPhone E.164, or null when the org has none
 * @param name what the org is called, for HELP answers; null when unknown
 */
public record OrgRouting(
    String orgId,
    String name,
    String email,
    String adminPhone,
    boolean adminPhoneAcceptsSms,
    boolean anonymize,
    boolean routeRecipientsToAdmin,
    boolean recordCalls) {

  public OrgRouting {
    Objects.requireNonNull(orgId, "orgId");
  }

  /** Settings without a name (routing rules other than HELP do not need it). */
  public OrgRouting(String orgId, String email, String adminPhone, boolean adminPhoneAcceptsSms, boolean anonymize,
      boolean routeRecipientsToAdmin, boolean recordCalls) {
    this(orgId, null, email, adminPhone, adminPhoneAcceptsSms, anonymize, routeRecipientsToAdmin, recordCalls);
  }

  /** Whether {@code phone} is this org's admin phone. */
  public boolean isAdminPhone(String phone) {
    return hasAdminPhone() && adminPhone.equals(phone);
  }

  /** A blank value from a form or a mirror counts as no admin phone at all. */
  public boolean hasAdminPhone() {
    return adminPhone != null && !adminPhone.isBlank();
  }
}
