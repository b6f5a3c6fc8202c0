package io.streamspace.billing.support;

import static io.streamspace.billing.support.BillingHarness.rows;

import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * Team organizations as the platform's organization events leave them: memberships written
 * straight into {@code billing_org_events} (so the routes are tested on their own, whatever
 * stores those events), and the organization's account opened by a session run under it.
 */
public final class OrgFixtures {

  private OrgFixtures() {}

  /** The organization's {@code org.created} at {@code at}: its owner's first membership. */
  public static void created(String orgId, String ownerId, String at) {
    event(orgId, "org.created", ownerId, "owner", at);
  }

  /**
   * The organization's {@code org.created} delivered to the plugin, which opens its account with
   * the name, currency and plan given (and stores the owner's membership).
   */
  public static void opened(
      BillingHarness billing,
      String orgId,
      String name,
      String ownerId,
      String currency,
      String planId,
      String at) {
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent(
            UUID.randomUUID().toString(),
            Instant.parse(at),
            OrganizationEvent.Type.CREATED,
            orgId,
            new OrganizationEvent.Organization(name, ownerId, currency, planId),
            null));
    billing.flush();
  }

  /** An {@code org.member_added} at {@code at}, with the role given ({@code admin}, ...). */
  public static void added(String orgId, String userId, String role, String at) {
    event(orgId, "org.member_added", userId, role, at);
  }

  /** An {@code org.member_removed} at {@code at}: no role from then on. */
  public static void removed(String orgId, String userId, String at) {
    event(orgId, "org.member_removed", userId, null, at);
  }

  /**
   * A session of {@code userId} under the organization from {@code from} to {@code to}, which
   * opens the organization's account (a team one: not personal) at its first event.
   */
  public static void session(
      BillingHarness billing,
      String orgId,
      String session,
      String userId,
      String from,
      String to,
      ResourceSize size) {
    billing.billing.onSessionCreated(
        billing.context, sessionEvent(from, session, userId, size, orgId));
    billing.billing.onSessionTerminated(
        billing.context, sessionEvent(to, session, userId, null, orgId));
  }

  private static SessionEvent sessionEvent(
      String at, String session, String userId, ResourceSize size, String orgId) {
    return new SessionEvent(
        UUID.randomUUID().toString(), Instant.parse(at), session, userId, size, orgId);
  }

  private static void event(String orgId, String type, String userId, String role, String at) {
    rows(
        """
        INSERT INTO billing_org_events (event_id, org_id, type, user_id, role, occurred_at)
        VALUES (?, ?, ?, ?, ?, ?) RETURNING event_id""",
        UUID.randomUUID().toString(),
        orgId,
        type,
        userId,
        role,
        Timestamp.from(Instant.parse(at)));
  }
}
