package io.streamspace.plugin.api.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The organization that pays: the one named, else the user's personal one, whose id is the
 * user's. Host and plugin both read it from here (intake's partition key, metering's accounts,
 * admission, holds, the routes' {@code org_id} or {@code user_id}).
 */
class BilledOrganizationTest {

  private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void theOrganizationNamedPays_elseTheUsersPersonalOne_keyedByTheUsersId() {
    assertEquals("acme", BilledOrganization.of("acme", "ann"));
    assertEquals("ann", BilledOrganization.of(null, "ann"));
    // a team whose id happens to be a user's id is still the team named
    assertEquals("bob", BilledOrganization.of("bob", "ann"));
    assertNull(BilledOrganization.of(null, null));
  }

  @Test
  void aSessionEventIsBilledToItsOrganization_elseToItsUsersPersonalOne() {
    SessionEvent team = new SessionEvent("e1", AT, "s1", "ann", null, "acme");
    SessionEvent personal = new SessionEvent("e2", AT, "s2", "ann", null);

    assertEquals("acme", team.billedOrgId());
    assertEquals("ann", personal.billedOrgId());
    assertNull(personal.orgId(), "the event itself still names no organization");
  }

  @Test
  void aUsageReportIsBilledToItsOrganization_elseToItsUsersPersonalOne() {
    UsageReport team = new UsageReport("r1", AT, "ann", "ai_queries", BigDecimal.ONE, null, "acme");
    UsageReport personal = new UsageReport("r2", AT, "ann", "ai_queries", BigDecimal.ONE, "s1");

    assertEquals("acme", team.billedOrgId());
    assertEquals("ann", personal.billedOrgId());
    assertNull(personal.orgId(), "the report itself still names no organization");
  }
}
