package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamspace.billing.payments.collection.CollectableCurrencies;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An account's currency is fixed when it opens, its plan is priced in it, and calculate-usage
 * rates it at the rates of that currency.
 */
class AccountCurrencyTest {

  private BillingHarness billing =
      new BillingHarness(at("2026-03-02T00:00:00Z"), BillingHarness.USD_AND_VND_CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anAccountOpensInTheSupportedCurrencyItAsksForElseTheDefault() {
    billing.userCreated("thu", Map.of("currency", "VND", "plan", "pro"));
    billing.userCreated("eve", Map.of("currency", "EUR", "plan", "pro")); // not configured
    billing.userCreated("ann", Map.of());
    billing.created("2026-03-02T08:00:00Z", "s1", "sam", size("1", "0", "0"));
    billing.flush();

    assertEquals(
        List.of(
            List.of("ann", "USD", "free", "0"),
            List.of("eve", "USD", "pro", "29.99"),
            List.of("sam", "USD", "free", "0"),
            List.of("thu", "VND", "pro", "750000")),
        rows(
            """
            SELECT a.user_id, a.currency, s.plan_id, s.price::text FROM billing_accounts a
            JOIN billing_subscriptions s USING (user_id) ORDER BY a.user_id"""));
    assertEquals(
        "VND",
        rows("SELECT currency FROM billing_subscriptions WHERE user_id = 'thu'").get(0).get(0));
  }

  /**
   * thu's session.created (08:00, 1 core) opened her account in USD on Free; her user.created
   * (VND, Pro, at 00:00, the clock's instant), stored in a later flush, moves it onto VND and
   * Pro priced in VND from the account's start, 00:00 (the earliest event), as if it had come
   * first. A second user.created asking for something else then changes nothing.
   */
  @Test
  void aUserCreatedStoredAfterASessionEventGivesTheAccountItsCurrencyAndPlan() {
    billing.created("2026-03-02T08:00:00Z", "s1", "thu", size("1", "0", "0"));
    billing.flush();
    billing.userCreated("thu", Map.of("currency", "VND", "plan", "pro"));
    billing.flush();
    billing.userCreated("thu", Map.of("currency", "USD", "plan", "enterprise"));
    billing.flush();

    assertEquals(
        List.of(
            List.of(
                "VND",
                "thu@example.com",
                "pro",
                "VND",
                "750000",
                Timestamp.from(at("2026-03-02T00:00:00Z")))),
        rows(
            """
            SELECT a.currency::text, a.email, s.plan_id, s.currency::text, s.price::text,
                   s.started_at
            FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)"""));
  }

  /**
   * Once usage has been rated in USD from the defaults, a late user.created asking for VND and
   * Pro leaves the account as it is (re-pricing rated money silently would be worse) and says
   * so in one warning naming the user and what was ignored.
   */
  @Test
  void aUserCreatedArrivingAfterUsageWasRatedKeepsTheAccountAndLogsWhatItIgnored() {
    billing.created("2026-03-02T08:00:00Z", "s1", "thu", size("1", "0", "0"));
    billing.terminated("2026-03-02T09:00:00Z", "s1", "thu");
    billing.calculateUsageAt("2026-03-02T10:00:00Z");
    Logger logger = (Logger) LoggerFactory.getLogger(MeteringStore.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    logger.addAppender(warnings);
    try {
      billing.userCreated("thu", Map.of("currency", "VND", "plan", "pro"));
      billing.flush();
    } finally {
      logger.detachAppender(warnings);
    }

    assertEquals(
        List.of(List.of("USD", "thu@example.com", "free", "USD", "0")),
        rows(
            """
        SELECT a.currency::text, a.email, s.plan_id, s.currency::text, s.price::text
        FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)"""));
    assertEquals(
        List.of(List.of("cpu", "USD", "0.05")),
        rows(
            """
        SELECT resource_type, currency::text, unit_price::text FROM billing_usage_records"""));
    assertEquals(
        List.of(
            "WARN user.created of thu arrived after a session event opened its "
                + "account: its VND on plan pro ignored, the account keeps USD on plan free, as "
                + "usage was already rated"),
        warnings.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
  }

  /**
   * A pack bought at its USD price (18.00) is in use in USD as much as rated usage: a late
   * user.created asking for VND leaves the account in USD (else the pack's 18 would be billed as
   * 18 VND), and says so. A spending limit set in USD keeps it in USD the same way.
   */
  @Test
  void aUserCreatedArrivingAfterAPackWasBoughtOrALimitSetKeepsTheAccountInItsCurrency() {
    billing.created("2026-03-02T08:00:00Z", "s1", "thu", size("1", "0", "0"));
    billing.created("2026-03-02T08:00:00Z", "s2", "vy", size("1", "0", "0"));
    billing.flush();
    assertEquals(
        201, billing.call(HttpMethod.POST, "/packs/slots-20/purchase", user("thu"), "{}").status());
    assertEquals(
        200,
        billing
            .call(
                HttpMethod.PUT,
                "/spending-limit",
                user("vy"),
                "{\"amount\": 50, \"warn_at_percent\": 80, \"action\": \"warn\"}")
            .status());
    Logger logger = (Logger) LoggerFactory.getLogger(MeteringStore.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    logger.addAppender(warnings);
    try {
      billing.userCreated("thu", Map.of("currency", "VND"));
      billing.userCreated("vy", Map.of("currency", "VND"));
      billing.flush();
    } finally {
      logger.detachAppender(warnings);
    }

    assertEquals(
        List.of(List.of("thu", "USD", "USD"), List.of("vy", "USD", "USD")),
        rows(
            """
            SELECT a.user_id, a.currency::text, s.currency::text
            FROM billing_accounts a JOIN billing_subscriptions s USING (user_id)
            ORDER BY a.user_id"""));
    assertEquals(
        List.of(
            "WARN user.created of thu arrived after a session event opened its "
                + "account: its VND on plan free ignored, the account keeps USD on plan free, as "
                + "a pack was bought",
            "WARN user.created of vy arrived after a session event opened its "
                + "account: its VND on plan free ignored, the account keeps USD on plan free, as "
                + "a spending limit was set"),
        warnings.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
  }

  /**
   * One run rates each account at its currency's rates: 2 cores and 4 GB for one hour are
   * 2 × 0.05 = 0.10 USD + 4 × 0.01 = 0.04 USD for alice, and 2 × 1,250 = 2,500 VND +
   * 4 × 250 = 1,000 VND for thu.
   */
  @Test
  void oneRunRatesEachAccountInItsOwnCurrency() {
    aliceInUsdAndThuInVndEachRunAnHourOf("2", "4");

    billing.calculateUsageAt("2026-03-02T10:00:00Z");

    assertEquals(
        List.of(
            List.of("alice", "cpu", "USD", "0.05"),
            List.of("alice", "memory", "USD", "0.01"),
            List.of("thu", "cpu", "VND", "1250"),
            List.of("thu", "memory", "VND", "250")),
        rows(
            """
            SELECT user_id, resource_type, currency::text, unit_price::text
            FROM billing_usage_records ORDER BY user_id, resource_type"""));
    assertEquals("2500", cost("thu", "cpu"));
    assertEquals("0.10", cost("alice", "cpu"));
  }

  /**
   * VND taken out of the config: the VND account's time is left unrated (not priced in USD,
   * not lost) while the USD account's is rated; once VND is back, the same run rates it.
   */
  @Test
  void anAccountWhoseCurrencyIsNoLongerConfiguredWaitsUnratedUntilItIsAgain() {
    aliceInUsdAndThuInVndEachRunAnHourOf("1", "0");
    billing.flush();
    billing.context.setConfigJson("{\"currencyRates\": {}}"); // USD only
    billing.billing.onConfigChanged(billing.context);

    billing.calculateUsageAt("2026-03-02T10:00:00Z");
    assertEquals(
        List.of(List.of("alice")), rows("SELECT DISTINCT user_id FROM billing_usage_records"));

    billing.context.setConfigJson(BillingHarness.USD_AND_VND_CONFIG);
    billing.billing.onConfigChanged(billing.context);
    billing.calculateUsageAt("2026-03-02T10:05:00Z");
    assertEquals(
        List.of(List.of("thu", "VND", "1250")),
        rows(
            """
        SELECT user_id, currency::text, unit_price::text FROM billing_usage_records
        WHERE user_id = 'thu'"""));
  }

  /**
   * A config saved with BHD and stripeEnabled before such configs were refused (or BHD
   * supported while Stripe was off) opens thu in BHD from her user.created. Her invoice, 2
   * cores and 4 GB for an hour at 0.019 and 0.004 BHD, is 0.054 BHD: Stripe takes BHD only to 2
   * decimals, so it is not queued for collection and one warning says so; alice's USD invoice
   * is queued.
   */
  @Test
  void anInvoiceInACurrencyStripeCannotChargeIsNotQueuedForStripeCollection() {
    billing.close();
    billing =
        new BillingHarness(
            at("2026-03-01T00:00:00Z"),
            """
            {"stripeEnabled": true,
             "currencyRates": {"BHD": {"cpu_per_core_hour": 0.019, "memory_per_gb_hour": 0.004,
               "storage_per_gb_month": 0.038}},
             "currencyMeterRates": {"BHD": {"bandwidth_gb": 0.03, "transcoding_minutes": 0.008,
               "ai_queries": 0.001}},
             "subscriptionPlans": [{"id": "free", "name": "Free", "price": 0,
               "interval": "month", "cpu_limit": 2, "memory_limit": 4, "storage_limit": 10,
               "prices": {"BHD": 0}}]}""");
    Logger logger = (Logger) LoggerFactory.getLogger(CollectableCurrencies.class);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    logger.addAppender(warnings);
    try {
      billing.userCreated("alice", Map.of());
      billing.userCreated("thu", Map.of("currency", "BHD"));
      for (String user : List.of("alice", "thu")) {
        billing.created("2026-03-02T08:00:00Z", "s-" + user, user, size("2", "4", "0"));
        billing.terminated("2026-03-02T09:00:00Z", "s-" + user, user);
      }
      billing.calculateUsageAt("2026-04-01T01:00:00Z");
      billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    } finally {
      logger.detachAppender(warnings);
    }

    assertEquals(
        List.of(
            List.of("alice", "USD", "0.14", "sent", 1L),
            List.of("thu", "BHD", "0.054", "sent", 0L)),
        rows(
            """
            SELECT i.user_id, i.currency::text, i.total::text, i.status,
                   (SELECT count(*) FROM billing_stripe_collections c WHERE c.invoice_id = i.id)
            FROM billing_invoices i ORDER BY i.user_id"""));
    long thuInvoice =
        (Long) rows("SELECT id FROM billing_invoices WHERE user_id = 'thu'").get(0).get(0);
    assertEquals(
        List.of(
            "WARN invoice "
                + thuInvoice
                + " of thu not queued for collection through Stripe: its currency BHD has 3"
                + " decimals, Stripe takes 2; collect it otherwise"),
        warnings.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
  }

  /** Opens alice (USD) and thu (VND), each with one session from 08:00 to 09:00. */
  private void aliceInUsdAndThuInVndEachRunAnHourOf(String cores, String memoryGb) {
    billing.userCreated("alice", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    for (String user : List.of("alice", "thu")) {
      billing.created("2026-03-02T08:00:00Z", "s-" + user, user, size(cores, memoryGb, "0"));
      billing.terminated("2026-03-02T09:00:00Z", "s-" + user, user);
    }
  }

  private static String cost(String user, String resource) {
    return ((BigDecimal)
            rows(
                    """
        SELECT sum(unit_seconds * unit_price) / 3600 FROM billing_usage_records
        WHERE user_id = ? AND resource_type = ?""",
                    user,
                    resource)
                .get(0)
                .get(0))
        .setScale(user.equals("thu") ? 0 : 2, java.math.RoundingMode.HALF_UP)
        .toPlainString();
  }
}
