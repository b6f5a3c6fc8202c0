package io.streamspace.billing.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.account.OpeningTerms.PricedPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The terms an account opens on, under a config in USD that also bills in VND, with two plans:
 * Free (0 USD, 0 VND), the default, and Pro (29.99 USD, 750000 VND).
 */
class OpeningTermsTest {

  private static final BillingConfig USD_AND_VND =
      new BillingConfigParser(CronValidator.fiveFields())
          .parse(
              """
              {"currency": "USD", "defaultPlan": "free",
               "currencyRates": {"VND": {"cpu_per_core_hour": 1250, "memory_per_gb_hour": 250,
                 "storage_per_gb_month": 2500}},
               "currencyMeterRates": {"VND": {"bandwidth_gb": 2000, "transcoding_minutes": 500,
                 "ai_queries": 25}},
               "subscriptionPlans": [
                 {"id": "free", "name": "Free Tier", "price": 0, "interval": "month",
                  "cpu_limit": 2, "memory_limit": 4, "storage_limit": 10, "prices": {"VND": 0}},
                 {"id": "pro", "name": "Professional", "price": 29.99, "interval": "month",
                  "cpu_limit": 8, "memory_limit": 16, "storage_limit": 100,
                  "prices": {"VND": 750000}}]}""")
          .config();

  private final OpeningTerms terms = new OpeningTerms(USD_AND_VND);

  @Test
  void anAccountOpensInTheSupportedCurrencyItAsksFor() {
    assertEquals("VND", terms.currency("VND"));
    assertEquals("USD", terms.currency("USD"));
  }

  @Test
  void anAccountAskingForACurrencyNotConfiguredOrNoneOpensInTheConfiguredOne() {
    assertEquals("USD", terms.currency("EUR"));
    assertEquals("USD", terms.currency("not a code"));
    assertEquals("USD", terms.currency(null));
  }

  @Test
  void anAccountOpensOnThePlanItAsksForWhenItIsConfiguredElseOnTheDefault() {
    assertEquals("pro", terms.plan("pro"));
    assertEquals("free", terms.plan("enterprise"));
    assertEquals("free", terms.plan(null));
  }

  @Test
  void everyPlanIsPricedInEveryCurrencyAtItsConfiguredPrice() {
    assertEquals(
        List.of("free USD 0", "free VND 0", "pro USD 29.99", "pro VND 750000"),
        terms.pricedPlans().stream().map(OpeningTermsTest::shown).toList());
  }

  @Test
  void aPricedPlanCarriesThePlansTermsAsConfigured() {
    PricedPlan proInVnd = terms.pricedPlans().get(3);

    assertEquals("Professional", proInVnd.plan().name());
    assertEquals("month", proInVnd.plan().interval());
    assertEquals("8", proInVnd.plan().cpuLimit().toPlainString());
  }

  private static String shown(PricedPlan priced) {
    return priced.plan().id() + " " + priced.currency() + " " + priced.price().toPlainString();
  }
}
