package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.event.SessionEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A storage level is the organization's its session is billed to, as the session.created fixed
 * it, whatever the session's later events name; and two reports of one organization at one
 * instant keep the greater event id's level, whatever the order they arrive in. mia's session s1
 * runs under team acme from 09:00 on 2 March 2026.
 */
class TeamSessionStorageTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /** Session events by name: {@code created} names acme, the others no organization. */
  private final Map<String, SessionEvent> events =
      Map.of(
          "created", event("c1", "09:00", "s1", "mia", "5", "acme"),
          "heartbeat", event("h1", "10:00", "s1", "mia", "20", null),
          "terminated", event("t1", "11:00", "s1", "mia", "30", null));

  private static SessionEvent event(
      String id, String time, String session, String user, String storageGb, String orgId) {
    return new SessionEvent(
        id, at("2026-03-02T" + time + ":00Z"), session, user, size("1", "2", storageGb), orgId);
  }

  private void deliver(String name) {
    deliver(events.get(name));
  }

  private void deliver(SessionEvent event) {
    switch (event.id().charAt(0)) {
      case 'c' -> billing.billing.onSessionCreated(billing.context, event);
      case 't' -> billing.billing.onSessionTerminated(billing.context, event);
      default -> billing.billing.onSessionHeartbeat(billing.context, event);
    }
  }

  private static List<List<Object>> levels() {
    return rows(
        """
        SELECT user_id, to_char(effective_from AT TIME ZONE 'UTC', 'HH24:MI'),
               storage_gb::text
        FROM billing_storage_levels ORDER BY user_id, effective_from""");
  }

  private static final List<List<Object>> ALL_ACMES =
      List.of(
          List.of("acme", "09:00", "5"),
          List.of("acme", "10:00", "20"),
          List.of("acme", "11:00", "30"));

  @Test
  void heartbeatsAndTheTerminationWithoutOrgIdReportTheirStorageToTheSessionsOrganization() {
    billing.deliverInFlushes("created | heartbeat | terminated", this::deliver);

    assertEquals(ALL_ACMES, levels(), "none under mia's personal organization");
  }

  @Test
  void aHeartbeatWithoutOrgIdStoredBeforeItsSessionCreatedMovesToTheTeamWhenThatArrives() {
    billing.deliverInFlushes("heartbeat | terminated", this::deliver);
    assertEquals(
        List.of(List.of("mia", "10:00", "20"), List.of("mia", "11:00", "30")),
        levels(),
        "mia's, while nothing says otherwise");

    billing.deliverInFlushes("created", this::deliver);

    assertEquals(ALL_ACMES, levels());
    assertEquals(
        List.of(List.of("acme", true)), rows("SELECT org_id, org_fixed FROM billing_sessions"));
  }

  @Test
  void inOneBatchTheOrderOfTheSessionsEventsDoesNotMatterEither() {
    billing.deliverInFlushes("terminated heartbeat created", this::deliver);

    assertEquals(ALL_ACMES, levels());
  }

  @Test
  void aLaterEventNamingAnotherOrganizationDoesNotMoveTheSession() {
    billing.deliverInFlushes("created", this::deliver);
    deliver(event("h2", "10:00", "s1", "mia", "20", "beta"));
    billing.flush();

    assertEquals(List.of(List.of("acme", "09:00", "5"), List.of("acme", "10:00", "20")), levels());
  }

  @Test
  void aPersonalLevelOfTheUserFromBeforeTheSessionStaysTheirs() {
    deliver(event("c0", "08:00", "s0", "mia", "7", null));
    billing.deliverInFlushes("heartbeat | created", this::deliver);

    assertEquals(
        List.of(
            List.of("acme", "09:00", "5"),
            List.of("acme", "10:00", "20"),
            List.of("mia", "08:00", "7")),
        levels());
  }

  /**
   * At 10:00 adam's session reports 10 GB (event a-10) and mia's 50 GB (event m-10): one level
   * of acme at one instant. Of the two, the greater event id's counts ("m-10" > "a-10"), so
   * acme's level from 10:00 is 50 GB in either order, in one batch or two.
   */
  @Test
  void twoMembersReportingStorageAtOneInstantLeaveTheSameLevelInEitherOrder() {
    Map<String, SessionEvent> reports =
        Map.of(
            "adam", event("a-10", "10:00", "s-adam", "adam", "10", "acme"),
            "mia", event("m-10", "10:00", "s-mia", "mia", "50", "acme"));
    for (String order : List.of("adam | mia", "mia | adam", "adam mia", "mia adam")) {
      billing.deliverInFlushes(order, member -> deliver(reports.get(member)));

      assertEquals(List.of(List.of("acme", "10:00", "50")), levels(), order);
      rows("DELETE FROM billing_storage_levels RETURNING 1");
    }
  }

  /**
   * A single user's two sessions report one level, their personal organization's: at 10:00 s1
   * says 12 GB (event x-1) and s2 12.5 GB (event x-2); 12.5 GB, the greater id's, in either
   * order.
   */
  @Test
  void aUsersTwoSessionsAtOneInstantLeaveTheGreaterEventIdsLevelInEitherOrder() {
    Map<String, SessionEvent> reports =
        Map.of(
            "s1", event("x-1", "10:00", "s1", "mia", "12", null),
            "s2", event("x-2", "10:00", "s2", "mia", "12.5", null));
    for (String order : List.of("s1 | s2", "s2 | s1", "s2 s1")) {
      billing.deliverInFlushes(order, session -> deliver(reports.get(session)));

      assertEquals(List.of(List.of("mia", "10:00", "12.5")), levels(), order);
      rows("DELETE FROM billing_storage_levels RETURNING 1");
    }
  }
}
