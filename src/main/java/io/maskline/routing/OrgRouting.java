package io.maskline.routing;

import java.util.Objects;

/**
 * The routing settings of one org, as mirrored to Redis when the org is written.
 *
 * @param adminPhone E.164, or null when the org has none
 */
public record OrgRouting(
    String orgId,
    String email,
    String adminPhone,
    boolean adminPhoneAcceptsSms,
    boolean anonymize,
    boolean routeRecipientsToAdmin,
    boolean recordCalls) {

  public OrgRouting {
    Objects.requireNonNull(orgId, "orgId");
  }

  /** A blank value from a form or a mirror counts as no admin phone at all. */
  public boolean hasAdminPhone() {
    return adminPhone != null && !adminPhone.isBlank();
  }
}
