package io.streamspace.billing.prepaid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.rating.CurrencyRates;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.TopUp;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A session's hold worked out by hand, at the default USD rates (0.05 a core-hour, 0.01 a
 * GB-hour, a GPU at 0.90 a GPU-hour) and VND's (1,250 and 250), and the refusal of a session the
 * balance cannot hold: no database.
 */
class SessionHoldTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");
  private static final Duration QUARTER = Duration.ofMinutes(15);
  private static final CurrencyRates DOLLARS =
      new CurrencyRates(
          "USD",
          new ComputeRates(new BigDecimal("0.05"), new BigDecimal("0.01"), new BigDecimal("0.10")),
          Map.of("gpu", new BigDecimal("0.90")));
  private static final CurrencyRates DONG =
      new CurrencyRates(
          "VND",
          new ComputeRates(new BigDecimal("1250"), new BigDecimal("250"), new BigDecimal("2500")),
          Map.of());

  private static ResourceSize size(String cores, String memoryGb, Map<String, String> held) {
    Map<String, BigDecimal> amounts = new java.util.TreeMap<>();
    held.forEach((meter, amount) -> amounts.put(meter, new BigDecimal(amount)));
    return new ResourceSize(
        new BigDecimal(cores), new BigDecimal(memoryGb), new BigDecimal("50"), amounts);
  }

  private static SessionHold hold(ResourceSize size, CurrencyRates rates, Currency currency) {
    return SessionHold.of(size, rates, BillingMode.USAGE, QUARTER, currency);
  }

  @Test
  void twoCoresAndFourGbFor15MinutesHold0035RoundedUpTo004_storageHoldsNothing() {
    // (2 × 0.05 + 4 × 0.01) × 15/60 = 0.14 × 0.25 = 0.035; the 50 GB of storage is a level
    SessionHold hold = hold(size("2", "4", Map.of()), DOLLARS, USD);

    assertEquals(new BigDecimal("0.04"), hold.amount());
    assertEquals(new BigDecimal("0.14"), hold.perHour());
    assertEquals(15, hold.minutes());
  }

  @Test
  void aHoldRoundsUpWhereAnInvoiceLineWouldRoundDown() {
    // 1 × 0.05 × 0.25 = 0.0125: an invoice line would say 0.01 (half up); the hold never less
    assertEquals(new BigDecimal("0.02"), hold(size("1", "0", Map.of()), DOLLARS, USD).amount());
    // 0.5 × 1,250 × 0.25 = 156.25 dong → 157; (1,250 + 250) × 0.25 = 375 exactly
    assertEquals(new BigDecimal("157"), hold(size("0.5", "0", Map.of()), DONG, VND).amount());
    assertEquals(new BigDecimal("375"), hold(size("1", "1", Map.of()), DONG, VND).amount());
  }

  @Test
  void heldMetersAreHeldAtTheirPrice_oneWithoutAPriceHoldsNothing() {
    // (1 × 0.05 + 1 × 0.90) × 0.25 = 0.2375 → 0.24; "lens" is priced in no currency
    SessionHold hold = hold(size("1", "0", Map.of("gpu", "1", "lens", "3")), DOLLARS, USD);

    assertEquals(new BigDecimal("0.24"), hold.amount());
    assertEquals(new BigDecimal("0.95"), hold.perHour());
  }

  @Test
  void inSubscriptionModeSessionsCostNothing_soNothingIsHeld() {
    SessionHold hold =
        SessionHold.of(
            size("2", "4", Map.of("gpu", "1")), DOLLARS, BillingMode.SUBSCRIPTION, QUARTER, USD);

    assertFalse(hold.any());
  }

  @Test
  void aRefusalSaysWhatIsShortAndByHowMuch_andSuggestsTheTopUpsToStartItAndToRunAnHour() {
    SessionHold hold = hold(size("2", "4", Map.of()), DOLLARS, USD); // 0.04, 0.14 an hour
    Balance balance = new Balance(USD, new BigDecimal("1.01"), new BigDecimal("1.00"));

    AdmissionDecision refused = PrepaidAdmission.refusal(hold, balance, "Pay as you go");

    assertFalse(refused.allowed());
    assertEquals("insufficient_balance", refused.code());
    assertEquals(
        "Prepaid balance too low: sessions of the Pay as you go plan are paid from the prepaid"
            + " balance, and starting this one reserves $0.04, its cost for its first 15 minutes,"
            + " while $0.01 is available (of a balance of $1.01, $1.00 is reserved by running"
            + " sessions): $0.03 short. Top up $0.03 to start it, or $0.13 to run it for an hour.",
        refused.reason());
    assertEquals(
        List.of(
            new TopUp(new BigDecimal("0.03"), "USD", 15),
            new TopUp(new BigDecimal("0.13"), "USD", 60)),
        refused.topUp());
  }

  @Test
  void aHoldOfAnHourOrMoreSuggestsOneTopUp_andWithoutABalanceTheWholeHoldIsShort() {
    SessionHold hold =
        SessionHold.of(
            size("2", "4", Map.of()), DOLLARS, BillingMode.USAGE, Duration.ofHours(2), USD);
    Balance none = new Balance(USD, new BigDecimal("0.00"), new BigDecimal("0.00"));

    AdmissionDecision refused = PrepaidAdmission.refusal(hold, none, "Pay as you go");

    assertEquals(List.of(new TopUp(new BigDecimal("0.28"), "USD", 120)), refused.topUp());
    assertEquals(
        "Prepaid balance too low: sessions of the Pay as you go plan are paid from the prepaid"
            + " balance, and starting this one reserves $0.28, its cost for its first 120"
            + " minutes, while $0.00 is available: $0.28 short. Top up $0.28 to start it.",
        refused.reason());
  }
}
