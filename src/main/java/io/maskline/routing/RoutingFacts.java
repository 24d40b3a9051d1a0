package io.maskline.routing;

import java.util.Objects;

/**
 * Everything the routing core needs, gathered by the edge in at most two Redis round trips.
 *
 * @param org the routing settings of the context's org; null iff the context is {@link
 *     CallerContext.Unknown} or the org's mirror is missing
 * @param proxyDedicatedToOrg whether P is one of that org's dedicated numbers (false: shared pool)
 * @param recipientOptedOut whether the recipient side of this inbound opted out of the context org's traffic: the
 *     counterpart when a driver in a task calls or texts, else the caller
 * @param replyTarget where the org's admin texting or calling its own dedicated number P is put through to; null when
 *     the caller is not that admin or no recipient's message came through P lately
 */
public record RoutingFacts(
    Inbound inbound, CallerContext context, OrgRouting org, boolean proxyDedicatedToOrg, Guard guard,
    boolean recipientOptedOut, ReplyTarget replyTarget) {

  /** Facts without opt-out or reply target. */
  public RoutingFacts(Inbound inbound, CallerContext context, OrgRouting org, boolean proxyDedicatedToOrg, Guard guard) {
    this(inbound, context, org, proxyDedicatedToOrg, guard, false, null);
  }

  public RoutingFacts {
    Objects.requireNonNull(inbound, "inbound");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(guard, "guard");
    // Settings of another org than the one the binding names would route one org's recipients to
    // another org's admin: a wiring bug, so fail loudly instead of routing on it.
    String contextOrgId = context.orgId();
    if (org != null && !org.orgId().equals(contextOrgId)) {
      // The message names orgs only: a context can hold a real phone number.
      throw new IllegalArgumentException(
          "org settings of " + org.orgId() + " given for a caller context of org " + contextOrgId);
    }
  }
}
