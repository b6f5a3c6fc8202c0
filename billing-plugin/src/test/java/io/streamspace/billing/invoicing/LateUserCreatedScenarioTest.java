package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A user.created that is stored after a session event of its user (delivered later, or split
 * into another write) gives the account the currency and plan it asks for, as if it had come
 * first. Hybrid mode, USD by default on Free (2 cores included), VND supported; Pro in VND is
 * 750,000 a month with 8 cores included, a core-hour 1,250 VND; UTC, invoice day 1; March is
 * 744 h = 2,678,400 s.
 */
class LateUserCreatedScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String AFTER_GRACE = "2026-04-01T01:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-31T09:00:00Z"),
          "{\"billingMode\": \"hybrid\", " + BillingHarness.USD_AND_VND_CONFIG.substring(1));

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * thu's user.created (09:00) asks for VND and Pro; her only session runs 12 cores from 09:00
   * to 11:00 on March 31. However it is delivered, the account is in VND on Pro from 09:00: the
   * fee is 750,000 × 15 h (54,000 s) / 2,678,400 s = 15,120.97 → 15,121, and each of the two
   * hours is 12 − 8 = 4 core-hours over: 8 × 1,250 = 10,000; 25,121 in all. Stored after the
   * session.created, the user.created was ignored: USD on Free, 2 × 10 core-hours over × 0.05
   * = 1.00.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "user created terminated",
        "created user terminated",
        "created | user terminated",
        "created terminated | user"
      })
  void aUserCreatedStoredAfterASessionEventGivesTheSameAccountAndInvoiceAsOneStoredFirst(
      String deliveries) {
    billing.deliverInFlushes(deliveries, this::deliver);

    billing.calculateUsageAt(AFTER_GRACE);
    billing.runAt(GENERATE_INVOICES, AFTER_GRACE);

    assertEquals(
        List.of(
            List.of(
                "VND",
                ts("2026-03-31T09:00:00Z"),
                "pro",
                "VND",
                "750000",
                ts("2026-03-31T09:00:00Z"))),
        rows(
            """
            SELECT a.currency::text, a.created_at, s.plan_id, s.currency::text, s.price::text,
                   s.started_at
            FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)
            WHERE a.user_id = 'thu'"""));
    assertEquals(
        List.of(
            "plan_fee Professional, 2026-03-31 – 2026-04-01 null null null 750000 15121",
            "overage cpu overage cpu 8 core-hours 1250 10000"),
        lines(invoiceId("thu", MARCH)));
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent INV-2026-000001 25121 0 25121"),
        invoices("thu"));
  }

  private void deliver(String event) {
    switch (event) {
      case "user" -> billing.userCreated("thu", Map.of("currency", "VND", "plan", "pro"));
      case "created" -> billing.created("2026-03-31T09:00:00Z", "s1", "thu", size("12", "0", "0"));
      case "terminated" -> billing.terminated("2026-03-31T11:00:00Z", "s1", "thu");
      default -> throw new IllegalArgumentException(event);
    }
  }

  private static Timestamp ts(String instant) {
    return Timestamp.from(at(instant));
  }
}
