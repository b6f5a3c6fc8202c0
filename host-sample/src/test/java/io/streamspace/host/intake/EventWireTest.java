package io.streamspace.host.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.OrganizationEvent.Membership;
import io.streamspace.plugin.api.event.OrganizationEvent.Organization;
import io.streamspace.plugin.api.event.OrganizationEvent.Role;
import io.streamspace.plugin.api.event.OrganizationEvent.Type;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionActivity;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The text the journal keeps of each kind of event, member by member: these forms are what
 * journals and dead letters already hold, so a redelivery must keep writing them byte for byte.
 */
class EventWireTest {

  private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

  @Test
  void aSessionEventIsWrittenWithEveryPartItHolds_decimalsPlainAndWithoutTrailingZeros() {
    ResourceSize size =
        new ResourceSize(
            new BigDecimal("4.50"),
            new BigDecimal("1E+2"),
            new BigDecimal("0.0"),
            Map.of("gpu_a100", new BigDecimal("1.0")));
    SessionActivity activity =
        new SessionActivity(
            SessionActivity.State.IDLE,
            Map.of("ai_queries", new BigDecimal("3.00"), "frames", new BigDecimal("1.0E-7")));
    SessionEvent event =
        new SessionEvent("e-1", AT, "s-1", "u-1", size, "o-1", "user_request", activity);

    assertEquals(
        "{\"id\":\"e-1\",\"type\":\"session.terminated\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
            + "\"session\":{\"session_id\":\"s-1\",\"user_id\":\"u-1\",\"org_id\":\"o-1\","
            + "\"reason\":\"user_request\",\"cpu_cores\":4.5,\"memory_gb\":100,\"storage_gb\":0,"
            + "\"resources\":{\"gpu_a100\":1},\"activity\":\"idle\","
            + "\"used\":{\"ai_queries\":3,\"frames\":0.0000001}}}",
        EventWire.sessionText(EventType.SESSION_TERMINATED, event));
  }

  @Test
  void aSessionEventLeavesOutWhatItDoesNotHold() {
    assertEquals(
        "{\"id\":\"e-2\",\"type\":\"session.created\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
            + "\"session\":{\"session_id\":\"s\",\"user_id\":\"u\"}}",
        EventWire.sessionText(
            EventType.SESSION_CREATED, new SessionEvent("e-2", AT, "s", "u", null)));
  }

  @Test
  void aUserIsWrittenWithItsAttributesSortedFirst_thenItsNamedMembers() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("plan", "pro");
    attributes.put("currency", "VND");
    assertEquals(
        "{\"id\":\"k-1\",\"type\":\"user.created\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
            + "\"user\":{\"currency\":\"VND\",\"plan\":\"pro\",\"user_id\":\"u1\","
            + "\"name\":\"Ann \\\"A\\\"\"}}",
        EventWire.userCreatedText(new UserEvent("k-1", AT, "u1", null, "Ann \"A\"", attributes)));
  }

  @Test
  void aUsageReportIsWrittenWithItsQuantityPlain() {
    assertEquals(
        "{\"id\":\"r-1\",\"type\":\"usage.reported\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
            + "\"usage\":{\"user_id\":\"u1\",\"meter\":\"ai_queries\",\"quantity\":2.5,"
            + "\"session_id\":\"s1\",\"org_id\":\"o1\"}}",
        EventWire.usageReportedText(
            new UsageReport("r-1", AT, "u1", "ai_queries", new BigDecimal("2.50"), "s1", "o1")));
  }

  @Test
  void anOrganizationIsWrittenAsCreated_andAMembershipWithItsRoleOrWithout() {
    assertEquals(
        "{\"id\":\"o-e\",\"type\":\"org.created\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
            + "\"org\":{\"org_id\":\"acme\",\"name\":\"Acme\",\"owner_user_id\":\"ann\","
            + "\"plan\":\"team\"}}",
        EventWire.organizationText(
            new OrganizationEvent(
                "o-e",
                AT,
                Type.CREATED,
                "acme",
                new Organization("Acme", "ann", null, "team"),
                null)));
    assertEquals(
        "{\"id\":\"m-e\",\"type\":\"org.member_added\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
            + "\"membership\":{\"org_id\":\"acme\",\"user_id\":\"bob\",\"role\":\"admin\"}}",
        EventWire.organizationText(
            new OrganizationEvent(
                "m-e", AT, Type.MEMBER_ADDED, "acme", null, new Membership("bob", Role.ADMIN))));
    assertEquals(
        "{\"id\":\"d-e\",\"type\":\"org.member_removed\","
            + "\"occurred_at\":\"2026-01-02T03:04:05Z\","
            + "\"membership\":{\"org_id\":\"acme\",\"user_id\":\"bob\"}}",
        EventWire.organizationText(
            new OrganizationEvent(
                "d-e", AT, Type.MEMBER_REMOVED, "acme", null, new Membership("bob", null))));
  }

  @Test
  void theTreeFormIsTheTextReadBack() throws Exception {
    SessionEvent event =
        new SessionEvent(
            "e-3",
            AT,
            "s",
            "u",
            new ResourceSize(new BigDecimal("1.005"), BigDecimal.ONE, BigDecimal.TEN));
    String text = EventWire.sessionText(EventType.SESSION_HEARTBEAT, event);
    assertEquals(Json.MAPPER.readTree(text), EventWire.session(EventType.SESSION_HEARTBEAT, event));
    assertEquals(text, Json.MAPPER.writeValueAsString(Json.MAPPER.readTree(text)));
  }
}
