package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Money does not depend on the order in which events are delivered: an account opened by a
 * session event starts at the earliest instant any of its events shows, and so does the plan it
 * opened on, however the events are ordered and batched. Hybrid mode, new accounts on Pro
 * (29.99 a month, 8 cores included), USD, UTC, invoice day 1; March is 744 h = 2,678,400 s.
 */
class DeliveryOrderScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(at(MARCH), "{\"billingMode\": \"hybrid\", \"defaultPlan\": \"pro\"}");

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * kim's only session runs 12 cores from 09:00 to 11:00 on March 31, with a heartbeat at 10:00;
   * no user.created, so the session opens the account. Delivered in any order, in one flush or
   * several (a later flush with an earlier event), the account and its Pro term start at 09:00:
   * the fee is 29.99 × 15 h (54,000 s) / 2,678,400 s = 0.6046… → 0.60, and each of the two hours
   * is 12 − 8 = 4 core-hours over: 8 × 0.05 = 0.40; 1.00 in all. Opened at the first event
   * delivered instead (the heartbeat at 10:00), the fee was 14 h: 0.56, and the hour 09:00, on no
   * plan yet, was 12 core-hours over: 0.80; 1.36 in all.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "created heartbeat terminated",
        "heartbeat created terminated",
        "heartbeat terminated | created",
        "terminated | heartbeat | created"
      })
  void theAccountAndItsPlanStartAtTheEarliestEventWhateverTheDeliveryOrder(String deliveries) {
    billing.deliverInFlushes(deliveries, this::deliver);

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    assertEquals(
        List.of(List.of(ts("2026-03-31T09:00:00Z"), ts("2026-03-31T09:00:00Z"))),
        rows(
            """
            SELECT a.created_at, s.started_at FROM billing_accounts a
            JOIN billing_subscriptions s USING (user_id) WHERE a.user_id = 'kim'"""));
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-31 – 2026-04-01 null null null 29.99 0.60",
            "overage cpu overage cpu 8 core-hours 0.05 0.40"),
        lines(invoiceId("kim", MARCH)));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 1.00 0.00 1.00"),
        invoices("kim"));
  }

  private void deliver(String event) {
    switch (event) {
      case "created" -> billing.created("2026-03-31T09:00:00Z", "s1", "kim", size("12", "0", "0"));
      case "heartbeat" -> billing.heartbeat("2026-03-31T10:00:00Z", "s1", "kim", null);
      case "terminated" -> billing.terminated("2026-03-31T11:00:00Z", "s1", "kim");
      default -> throw new IllegalArgumentException(event);
    }
  }

  /**
   * The rule when the plan was changed before the earliest event arrived: the change keeps its
   * instant, and the plan the account opened on starts earlier, at the account's new start (the
   * account was on it until the change). Same session as above; kim moves to Enterprise (32
   * cores) at 10:30. Delivered in order, or with the session.created (09:00) arriving after the
   * change (the heartbeat at 10:00 having opened the account), the terms are Pro from 09:00 to
   * 10:30 (5,400 s): 29.99 × 5,400 / 2,678,400 = 0.0604… → 0.06, and Enterprise from 10:30 to
   * April 1 (48,600 s): 99.99 × 48,600 / 2,678,400 = 1.8143… → 1.81. Overage: the hour 09:00 is
   * Pro's, 4 core-hours over; the hour 10:00 allows 8 × 1,800 + 32 × 1,800 = 72,000
   * core-seconds against 43,200 used: none. 4 × 0.05 = 0.20; 2.07 in all.
   */
  @ParameterizedTest(name = "session.created delivered {0} the change")
  @ValueSource(strings = {"before", "after"})
  void aPlanChangeKeepsItsInstantAndTheOpeningPlanStartsAtTheEarliestEvent(String when) {
    if (when.equals("before")) {
      deliver("created");
    }
    deliver("heartbeat");
    billing.flush();
    billing.clock.set(at("2026-03-31T10:30:00Z"));
    Answer changed =
        billing.call(HttpMethod.PUT, "/subscription", user("kim"), "{\"plan_id\": \"enterprise\"}");
    if (when.equals("after")) {
      deliver("created");
    }
    deliver("terminated");

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    assertEquals(200, changed.status(), changed.body().toString());
    assertEquals(
        List.of(
            List.of("pro", ts("2026-03-31T09:00:00Z"), ts("2026-03-31T10:30:00Z")),
            Arrays.asList("enterprise", ts("2026-03-31T10:30:00Z"), null)),
        rows(
            """
            SELECT plan_id, started_at, ended_at FROM billing_subscriptions
            WHERE user_id = 'kim' ORDER BY started_at"""));
    assertEquals(
        List.of(
            "plan_fee Pro, 2026-03-31 – 2026-03-31 null null null 29.99 0.06",
            "plan_fee Enterprise, 2026-03-31 – 2026-04-01 null null null 99.99 1.81",
            "overage cpu overage cpu 4 core-hours 0.05 0.20"),
        lines(invoiceId("kim", MARCH)));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 2.07 0.00 2.07"),
        invoices("kim"));
  }

  private static Timestamp ts(String instant) {
    return Timestamp.from(at(instant));
  }
}
