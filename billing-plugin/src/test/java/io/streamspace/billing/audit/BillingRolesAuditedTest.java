package io.streamspace.billing.audit;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The platform's organization events that give a member billing rights (owner or admin) write
 * one audit entry each, in the metering batch's transaction, by the platform; a member's role, a
 * removal or a redelivery write none.
 */
class BillingRolesAuditedTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anOwnerCreatedAnAdminAddedAndAMemberMadeAdmin_eachWriteOneEntry_aMemberOrARemovalNone() {
    OrganizationEvent[] events = {
      new OrganizationEvent(
          "o1",
          at("2026-03-01T00:00:00Z"),
          Type.CREATED,
          "acme",
          new OrganizationEvent.Organization("Acme", "olivia", "USD", null),
          null),
      member("o2", "2026-03-01T01:00:00Z", Type.MEMBER_ADDED, "adam", Role.ADMIN),
      member("o3", "2026-03-01T02:00:00Z", Type.MEMBER_ADDED, "mia", Role.MEMBER),
      member("o4", "2026-03-02T00:00:00Z", Type.MEMBER_ROLE_CHANGED, "mia", Role.ADMIN),
      member("o5", "2026-03-03T00:00:00Z", Type.MEMBER_REMOVED, "adam", null)
    };
    deliver(events);
    deliver(events); // redelivered: nothing new

    assertEquals(
        List.of(
            List.of(
                "platform", "acme", "member.billing_role_given", "member:olivia", "owner", "o1"),
            List.of("platform", "acme", "member.billing_role_given", "member:adam", "admin", "o2"),
            List.of("platform", "acme", "member.billing_role_given", "member:mia", "admin", "o4")),
        rows(
            "SELECT actor_type, org_id, kind, subject, after->>'role', after->>'event_id'"
                + " FROM billing_audit_entries WHERE kind = 'member.billing_role_given'"
                + " ORDER BY chain_seq"));
    assertEquals(
        List.of(List.of("2026-03-02T00:00:00Z")),
        rows(
            "SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                + " FROM billing_audit_entries WHERE subject = 'member:mia'"),
        "when the platform says it happened");
  }

  private void deliver(OrganizationEvent... events) {
    for (OrganizationEvent event : events) {
      billing.billing.onOrganizationEvent(billing.context, event);
    }
    billing.flush();
  }

  private static OrganizationEvent member(String id, String at, Type type, String user, Role role) {
    return new OrganizationEvent(id, at(at), type, "acme", null, new Membership(user, role));
  }
}
