package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.streamspace.testing.Await;
import io.streamspace.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts on one database: sessions and memberships the consuming node's plugin was handed are
 * counted by the other node's admission within the bound docs/billing-internals.md states
 * ("Admission from memory"), and so is a member's cap set on one node (docs/billing-rules.md,
 * "Member caps").
 */
class AdmissionTwoNodesE2ETest {

  /** The admission view's reload interval (5 s), plus one reload and the store on the other. */
  private static final Duration BOUND = Duration.ofSeconds(6);

  @TempDir Path work;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));

  @Test
  void sessionsAndMembersConsumedOnOneNodeAreCountedOnTheOtherWithinSixSeconds() throws Exception {
    String dbUrl = MigratedDatabases.freshDatabaseUrl();
    try (BillingHost a = BillingHost.start(work, dbUrl, clock, Map.of())) {
      String platform = a.api.token("platform", "platform");
      assertNotNull(TwoNodesE2ETest.consumerSeenBy(a.api), "a, started first, consumes");
      try (BillingHost b = BillingHost.start(work, dbUrl, clock, Map.of())) {
        String fay = "fay-" + UUID.randomUUID();
        Instant at = clock.instant().minus(Duration.ofMinutes(5));
        a.api.postEvents(
            platform,
            List.of(
                Events.userCreated(fay, at),
                Events.sessionCreated("s1-" + fay, fay, at, "0.5", "1", "0"),
                Events.sessionCreated("s2-" + fay, fay, at, "0.5", "1", "0")));
        a.api.awaitCaughtUp("billing"); // stored: the cursor moves once the plugin flushed

        Await.await(
            BOUND,
            Duration.ofMillis(50),
            "counted within " + BOUND,
            () -> !b.api.admission(platform, fay).get("allowed").asBoolean());
        assertEquals("active_sessions_limit", b.api.admission(platform, fay).get("code").asText());

        a.api.postEvents(
            platform, List.of(Events.sessionTerminated("s1-" + fay, fay, clock.instant())));
        a.api.awaitCaughtUp("billing");

        Await.await(
            BOUND,
            Duration.ofMillis(50),
            "ended within " + BOUND,
            () -> b.api.admission(platform, fay).get("allowed").asBoolean());

        // a cap set on a: dan runs one session under acme (pro: sessions unlimited), capped at 1
        String acme = "acme-" + UUID.randomUUID();
        String carol = "carol-" + UUID.randomUUID();
        String dan = "dan-" + UUID.randomUUID();
        a.api.postEvents(
            platform,
            List.of(
                Events.orgCreated(acme, carol, "pro", at),
                Events.memberAdded(acme, dan, "member", at),
                Events.underOrg(
                    acme, Events.sessionCreated("s1-" + dan, dan, at, "0.5", "1", "0"))));
        a.api.awaitCaughtUp("billing");
        a.api
            .http
            .put(
                "/api/plugins/billing/member-caps",
                a.api.token(carol, "user"),
                "{\"org_id\": \"%s\", \"user_id\": \"%s\", \"limits\": {\"active_sessions\": 1}}"
                    .formatted(acme, dan))
            .expect(200);

        Await.await(
            BOUND,
            Duration.ofMillis(50),
            "capped within " + BOUND,
            () -> !b.api.admissionUnder(platform, acme, dan).get("allowed").asBoolean());
        assertEquals("member_cap", b.api.admissionUnder(platform, acme, dan).get("code").asText());

        // a Hobby team of 5 (hard 5 members) whose memberships node a consumed: b refuses a 6th
        String team = "team-" + UUID.randomUUID();
        a.api.postEvents(
            platform,
            List.of(
                Events.orgCreated(team, "owner-" + team, "free", at),
                Events.memberAdded(team, "m2-" + team, "member", at),
                Events.memberAdded(team, "m3-" + team, "member", at),
                Events.memberAdded(team, "m4-" + team, "member", at),
                Events.memberAdded(team, "m5-" + team, "member", at)));
        a.api.awaitCaughtUp("billing");

        Await.await(
            BOUND,
            Duration.ofMillis(50),
            "members counted within " + BOUND,
            () -> !b.api.memberAdmission(platform, team, "m6").get("allowed").asBoolean());
        assertEquals(
            "seat_limit", b.api.memberAdmission(platform, team, "m6").get("code").asText());
      }
    }
  }
}
