package io.streamspace.billing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The extension as the host drives it: lifecycle, config capability, admission. */
class BillingExtensionTest {

  /** Accounts with the plan of their one active subscription. */
  private static final String ACCOUNTS_ON_PLANS =
      """
      SELECT %s FROM billing_accounts JOIN billing_subscriptions USING (user_id, currency)
      WHERE ended_at IS NULL ORDER BY user_id""";

  @Test
  void unloadStoresWhatIsStillQueued() {
    BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));
    billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "1", "0"));

    billing.close();

    assertEquals(1L, value("SELECT count(*) FROM billing_sessions"));
  }

  @Test
  void userCreatedOpensAnAccountWithValidAttributesOrTheDefaults() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      // EUR is an ISO code but not a configured currency: the account could not be priced in it
      billing.userCreated("ann", Map.of("currency", "EUR", "plan", "pro"));
      billing.userCreated("bob", Map.of("currency", "EURO", "plan", "platinum"));
      billing.flush();

      assertEquals(
          List.of(List.of("ann", "USD", "pro"), List.of("bob", "USD", "free")),
          rows(ACCOUNTS_ON_PLANS.formatted("user_id, currency, plan_id")));
    }
  }

  @Test
  void aSessionOfAnUnknownUserOpensAnAccountThatUserCreatedLaterCompletes() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      billing.created("2026-03-02T10:00:00Z", "s1", "cy", size("1", "1", "0"));
      billing.flush();
      billing.userCreated("cy", Map.of());
      billing.flush();

      assertEquals(
          List.of(List.of("cy", "cy@example.com", "USD", "free")),
          rows(ACCOUNTS_ON_PLANS.formatted("user_id, email, currency, plan_id")));
    }
  }

  @Test
  void storingEventsDoesNotLockTheAccountsOfKnownUsers() throws Exception {
    // calculate-usage locks account rows (storage watermark) after session rows; a flush that
    // locked account rows before session rows would deadlock with it
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      billing.userCreated("alice", Map.of());
      billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "1", "0"));
      billing.flush();

      try (Connection job = billing.context.dataSource().getConnection()) {
        job.setAutoCommit(false);
        try (Statement lock = job.createStatement()) {
          lock.execute(
              "SELECT 1 FROM billing_accounts WHERE user_id = 'alice' "
                  + "FOR NO KEY UPDATE"); // as calculate-usage's UPDATE of the watermark
        }
        billing.heartbeat("2026-03-02T10:05:00Z", "s1", "alice", null);
        billing.userCreated("alice", Map.of()); // a redelivery, with the email already stored

        billing.billing.flush().toCompletableFuture().get(10, TimeUnit.SECONDS);
        job.rollback();
      }
      assertEquals(
          List.of(List.of("alice", "alice@example.com", "USD", "free")),
          rows(ACCOUNTS_ON_PLANS.formatted("user_id, email, currency, plan_id")));
    }
  }

  @Test
  void aDisabledPluginMetersNothing() {
    try (BillingHarness billing =
        new BillingHarness(at("2026-03-02T00:00:00Z"), "{\"enabled\": false}")) {
      billing.created("2026-03-02T10:00:00Z", "s1", "alice", size("1", "1", "0"));
      billing.flush();

      assertEquals(0L, value("SELECT count(*) FROM billing_sessions"));
      assertEquals(
          "billing is disabled",
          billing.context.scheduler().run(BillingHarness.CALCULATE_USAGE).message());
    }
  }

  @Test
  void effectiveConfigMasksSecretsTheHostHolds() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      billing.context.setSecret("STRIPE_SECRET_KEY", "sk_live_123");

      String effective = billing.billing.effectiveConfig("{\"invoiceDay\": 5}");

      assertTrue(effective.contains("\"stripeSecretKey\" : \"****\""), effective);
      assertTrue(effective.contains("\"stripeWebhookSecret\" : null"), effective);
      assertTrue(effective.contains("\"invoiceDay\" : 5"), effective);
      assertFalse(effective.contains("sk_live_123"));
    }
  }

  @Test
  void validateConfigChecksTheCronWithTheHostsScheduler() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      List<ConfigProblem> problems =
          billing.billing.validateConfig("{\"usageCalculationInterval\": \"0 * * *\"}");

      assertEquals(
          List.of(new ConfigProblem("usageCalculationInterval", "not 5 fields")), problems);
    }
  }

  @Test
  void validateConfigChecksTheQuotaCheckCronWithTheHostsScheduler() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      List<ConfigProblem> problems =
          billing.billing.validateConfig("{\"quotaCheckInterval\": \"*/5 * * *\"}");

      assertEquals(List.of(new ConfigProblem("quotaCheckInterval", "not 5 fields")), problems);
    }
  }

  @Test
  void aChangedPlanLimitIsInEffectAfterTheChangeWithoutARestart() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      assertEquals(
          new BigDecimal("2"),
          billing.billing.config().limitsOf("free").of(Meter.STORAGE_GB).amount());

      billing.context.setConfigJson(
          """
          {"subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
            "limits": {"storage_gb": {"limit": 5, "kind": "soft"}}}]}""");
      billing.billing.onConfigChanged(billing.context);

      assertEquals(
          new Limit(new BigDecimal("5"), LimitKind.SOFT),
          billing.billing.config().limitsOf("free").of(Meter.STORAGE_GB));
    }
  }

  @Test
  void anInvalidChangedConfigKeepsThePreviousOne() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      billing.context.setConfigJson("{\"usageCalculationInterval\": \"never\"}");
      billing.billing.onConfigChanged(billing.context);

      assertEquals("0 * * * *", billing.context.scheduler().cronOf("calculate-usage"));
    }
  }

  @Test
  void theInvoiceJobsAreScheduledAndANewInvoiceDayReschedulesGenerateInvoices() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      assertEquals("0 0 1 * *", billing.context.scheduler().cronOf("generate-invoices"));
      assertEquals("*/15 * * * *", billing.context.scheduler().cronOf("finalize-invoices"));

      billing.context.setConfigJson("{\"invoiceDay\": 15}");
      billing.billing.onConfigChanged(billing.context);

      assertEquals("0 0 15 * *", billing.context.scheduler().cronOf("generate-invoices"));
    }
  }

  @Test
  void theDashboardIsRefreshedEvery5MinutesFromTwoPast_neverBesideTheHourlyRatingAndQuotaCheck() {
    try (BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"))) {
      assertEquals("2-59/5 * * * *", billing.context.scheduler().cronOf("refresh-dashboard"));
      assertEquals("0 * * * *", billing.context.scheduler().cronOf("calculate-usage"));
      assertEquals("*/5 * * * *", billing.context.scheduler().cronOf("check-quotas"));
    }
  }

  @Test
  void admissionIsAllowedUntilQuotasExist() {
    BillingExtension billing = new BillingExtension();

    assertTrue(billing.admit(new AdmissionRequest("ann", null, size("64", "512", "0"))).allowed());
    assertTrue(
        billing.configSchema().keys().stream()
            .anyMatch(k -> k.name().equals("stripeWebhookSecret") && k.secret()));
  }

  @Test
  void theSchemaCarriesTheQuotaKeys() {
    List<String> keys =
        new BillingExtension().configSchema().keys().stream().map(k -> k.name()).toList();

    assertTrue(
        keys.containsAll(
            List.of(
                "quotaCheckInterval",
                "meterRates.bandwidth_gb",
                "meterRates.transcoding_minutes",
                "meterRates.ai_queries",
                "currencyMeterRates")),
        keys.toString());
  }
}
