package io.streamspace.billing.account;

import static io.streamspace.billing.support.BillingHarness.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A user's personal organization has their id and them as its one member, its Owner, with no
 * membership rows: ann and bob have personal accounts, carl none yet.
 */
class MembershipsTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));
  private final Memberships memberships = new Memberships(TestDatabase.dataSource());

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aUserIsTheOwnerOfTheirPersonalOrganizationAndHasNoRoleInAnothers() throws Exception {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();

    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("ann", "ann"));
    assertEquals(Optional.empty(), memberships.roleOf("ann", "bob"));
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("carl", "carl"));
    assertEquals(Optional.empty(), memberships.roleOf("carl", "ann"));
    assertEquals(List.of(), memberships.membersOf("ann"));
  }

  /** The platform names ann's id as an organization bob joins: it gives bob nothing of hers. */
  @Test
  void aMembershipEventNamingAPersonalOrganizationLetsNobodyIntoIt() throws Exception {
    billing.userCreated("ann", Map.of());
    billing.billing.onOrganizationEvent(
        billing.context,
        new OrganizationEvent(
            "e1",
            at("2026-03-02T10:00:00Z"),
            Type.MEMBER_ADDED,
            "ann",
            null,
            new Membership("bob", Role.ADMIN)));
    billing.flush();

    assertEquals(Optional.empty(), memberships.roleOf("ann", "bob"));
    assertEquals(List.of(), memberships.membersOf("ann"));
    assertEquals(Optional.of(MemberRole.OWNER), memberships.roleOf("ann", "ann"));
  }
}
