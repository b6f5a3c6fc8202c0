package io.streamspace.billing.analytics;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSaving;
import io.streamspace.plugin.api.http.HttpMethod;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MRR counts a plan's fee only where the billing mode charges it: {@code subscription} and {@code
 * hybrid} do, {@code usage} does not (its invoices bill usage alone; the plan only sets limits).
 * UTC; Pro 29.99 a month; "Yearly" 299.88 a year, 299.88 ÷ 12 = 24.99 a month. ann opens on Pro
 * and yo on Yearly on 15 December 2025, and neither ever changes plan.
 */
class PlanFeeMrrTest {

  private BillingHarness billing;

  @AfterEach
  void unload() {
    if (billing != null) {
      billing.close();
    }
  }

  /** ann on Pro and yo on Yearly from 15 December 2025, under {@code config}. */
  private void annOnProAndYoOnYearly(String config) {
    billing = new BillingHarness(at("2025-12-15T00:00:00Z"), config);
    billing.userCreated("ann", Map.of("plan", "pro"));
    billing.userCreated("yo", Map.of("plan", "free"));
    billing.flush();
    BillingHarness.rows(
        """
        WITH ended AS (
          UPDATE billing_subscriptions SET ended_at = ?::timestamptz
          WHERE user_id = ? AND ended_at IS NULL RETURNING currency)
        INSERT INTO billing_subscriptions (user_id, plan_id, plan_name, price, currency,
            billing_interval, started_at)
        SELECT ?, 'yearly', 'Yearly', 299.88, currency, 'year', ?::timestamptz FROM ended
        RETURNING id""",
        "2025-12-15T00:00:00Z",
        "yo",
        "yo",
        "2025-12-15T00:00:00Z");
  }

  /** Each month's "month mrr new churned paying_at_end arpa" of January to April 2026. */
  private List<String> januaryToApril() {
    billing.clock.set(at("2026-05-05T00:00:00Z"));
    JsonNode months =
        billing
            .call(HttpMethod.GET, "/admin/analytics?from=2026-01&to=2026-04", admin("root"))
            .body()
            .get("months");
    List<String> shown = new ArrayList<>();
    for (JsonNode m : months) {
      shown.add(
          "%s %s %s new %s churned %s paying %d arpa %s"
              .formatted(
                  m.get("month").asText(),
                  m.get("currency").asText(),
                  plain(m.get("mrr")),
                  plain(m.get("new_mrr")),
                  plain(m.get("churned_mrr")),
                  m.get("paying_at_end").asInt(),
                  plain(m.get("arpa"))));
    }
    return shown;
  }

  private static String plain(JsonNode amount) {
    return amount.isNull() ? "null" : amount.decimalValue().toPlainString();
  }

  /**
   * In usage mode (the default) all along, ann's Pro and yo's Yearly charge no fee: MRR 0 every
   * month, nobody paying, no ARPA.
   */
  @Test
  void inUsageModeAnOrganizationOnProHasNoMrr_forItsPlanFeeIsNotCharged() {
    annOnProAndYoOnYearly(BillingHarness.USD_AND_VND_CONFIG);

    assertEquals(
        List.of(
            "2026-01 USD 0.00 new 0.00 churned 0.00 paying 0 arpa null",
            "2026-02 USD 0.00 new 0.00 churned 0.00 paying 0 arpa null",
            "2026-03 USD 0.00 new 0.00 churned 0.00 paying 0 arpa null",
            "2026-04 USD 0.00 new 0.00 churned 0.00 paying 0 arpa null"),
        januaryToApril());
  }

  /**
   * In hybrid mode all along: ann 29.99 + yo 299.88 ÷ 12 = 24.99 → MRR 54.98 every month, two
   * paying, ARPA 54.98 ÷ 2 = 27.49; nothing new after December.
   */
  @Test
  void inHybridModeProCounts2999_andAYearlyPlanATwelfthOfItsPrice() {
    annOnProAndYoOnYearly(RevenueAnalyticsTest.HYBRID_CONFIG);

    assertEquals(
        List.of(
            "2026-01 USD 54.98 new 0.00 churned 0.00 paying 2 arpa 27.49",
            "2026-02 USD 54.98 new 0.00 churned 0.00 paying 2 arpa 27.49",
            "2026-03 USD 54.98 new 0.00 churned 0.00 paying 2 arpa 27.49",
            "2026-04 USD 54.98 new 0.00 churned 0.00 paying 2 arpa 27.49"),
        januaryToApril());
  }

  /**
   * The mode is judged at each month boundary as the audit trail recorded its changes: usage
   * until the admin saved hybrid on 10 February, hybrid until usage was saved again on 20 March
   * (the config now). 1 February: usage, 0; 1 March: hybrid, 54.98, new (neither had paid
   * before: Pro and Yearly cost nothing until 10 February); 1 April: usage, 0, both churned.
   */
  @Test
  void aChangeOfModeCountsFromWhenItWasSaved_theFeeIsMrrOnlyWhileAModeChargesIt()
      throws SQLException {
    annOnProAndYoOnYearly(BillingHarness.USD_AND_VND_CONFIG);
    modeSaved("2026-02-10T09:00:00Z", "usage", "hybrid");
    modeSaved("2026-03-20T09:00:00Z", "hybrid", "usage");

    assertEquals(
        List.of(
            "2026-01 USD 0.00 new 0.00 churned 0.00 paying 0 arpa null",
            "2026-02 USD 54.98 new 54.98 churned 0.00 paying 2 arpa 27.49",
            "2026-03 USD 0.00 new 0.00 churned 54.98 paying 0 arpa null",
            "2026-04 USD 0.00 new 0.00 churned 0.00 paying 0 arpa null"),
        januaryToApril());
  }

  /** The host's hand-over of a saved config (as {@code ConfigChangeAuditedTest} makes it). */
  private record Saving(
      Connection connection,
      Instant at,
      String changedBy,
      Optional<String> reason,
      Optional<String> requestId,
      String beforeJson,
      String afterJson,
      List<String> changedKeys,
      Set<String> secretsChanged)
      implements ConfigSaving {}

  /** The admin saved the billing mode {@code is} over {@code was} at {@code at}. */
  private void modeSaved(String at, String was, String is) throws SQLException {
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      List<ConfigProblem> problems =
          billing.billing.onConfigSaving(
              new Saving(
                  connection,
                  at(at),
                  "root",
                  Optional.of("billing mode " + is),
                  Optional.empty(),
                  "{\"billingMode\": \"" + was + "\"}",
                  "{\"billingMode\": \"" + is + "\"}",
                  List.of("billingMode"),
                  Set.of()));
      connection.commit();
      assertEquals(List.of(), problems);
    }
  }
}
