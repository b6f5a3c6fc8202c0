package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.invoicing.MeterCharges.CounterUse;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The period counters above the plan's included amount, with figures worked out by hand. Rates:
 * the defaults in USD (0.08 per GB of bandwidth, 0.02 per transcoding minute, 0.001 per AI
 * query) and the VND example of docs/reference/configuration.md (2,000, 500 and 25).
 */
class MeterChargesTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant MARCH_15 = Instant.parse("2026-03-15T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

  private static final Optional<MeterRates> USD_RATES =
      rates(Map.of("bandwidth_gb", "0.08", "transcoding_minutes", "0.02", "ai_queries", "0.001"));
  private static final Optional<MeterRates> VND_RATES =
      rates(Map.of("bandwidth_gb", "2000", "transcoding_minutes", "500", "ai_queries", "25"));

  private static Optional<MeterRates> rates(Map<String, String> byMeter) {
    return Optional.of(
        new MeterRates(
            byMeter.entrySet().stream()
                .collect(
                    Collectors.toMap(
                        e -> Meter.builtIn(e.getKey()).orElseThrow(),
                        e -> new BigDecimal(e.getValue())))));
  }

  private static CounterUse soft(Meter meter, String included, String used) {
    return use(meter, new Limit(new BigDecimal(included), LimitKind.SOFT), "0", used);
  }

  private static CounterUse use(Meter meter, Limit limit, String before, String during) {
    return new CounterUse(meter, limit, new BigDecimal(before), new BigDecimal(during));
  }

  private static List<String> lines(
      Currency currency, Optional<MeterRates> rates, CounterUse... uses) {
    return MeterCharges.lines(currency, rates, MARCH, APRIL, List.of(uses)).stream()
        .map(
            l ->
                String.join(
                    " ",
                    l.kind().name(),
                    l.description(),
                    l.unit().resourceType(),
                    l.quantity().toPlainString(),
                    l.unit().label(),
                    l.unitPrice().toPlainString(),
                    l.amount().toPlainString()))
        .toList();
  }

  /**
   * Pro includes 1,000 AI queries; 2,005 were asked: 1,005 over × 0.001 = 1.005, half up 1.01.
   * Bandwidth 7.3 GB of 5 included: 2.3 × 0.08 = 0.184 → 0.18. Transcoding within its 60
   * minutes: no line.
   */
  @Test
  void aSoftCounterBillsWhatExceedsItsIncludedAmountRoundedOncePerLine() {
    assertEquals(
        List.of(
            "OVERAGE bandwidth_gb overage bandwidth_gb 2.3 GB 0.08 0.18",
            "OVERAGE ai_queries overage ai_queries 1005 query 0.001 1.01"),
        lines(
            USD,
            USD_RATES,
            soft(Meter.AI_QUERIES, "1000", "2005"),
            soft(Meter.TRANSCODING_MINUTES, "60", "59.5"),
            soft(Meter.BANDWIDTH_GB, "5", "7.3")));
  }

  /** VND has no minor unit: 0.00025 GB over × 2,000 = 0.5 dong, half up 1; 7 queries × 25 = 175. */
  @Test
  void vndOverageIsWholeDongHalfUp() {
    assertEquals(
        List.of(
            "OVERAGE bandwidth_gb overage bandwidth_gb 0.00025 GB 2000 1",
            "OVERAGE ai_queries overage ai_queries 7 query 25 175"),
        lines(
            VND,
            VND_RATES,
            soft(Meter.BANDWIDTH_GB, "5", "5.00025"),
            soft(Meter.AI_QUERIES, "100", "107")));
  }

  /** A hard limit is a cap quotas enforce, and unlimited includes everything: neither bills. */
  @Test
  void hardAndUnlimitedCountersBillNothingWhateverWasUsed() {
    assertEquals(
        List.of(),
        lines(
            USD,
            USD_RATES,
            use(Meter.AI_QUERIES, new Limit(new BigDecimal("100"), LimitKind.HARD), "0", "5000"),
            use(Meter.BANDWIDTH_GB, new Limit(null, LimitKind.SOFT), "0", "900")));
  }

  /**
   * An admin's invoice of the period's first days saw 80 of 100 included queries: nothing over.
   * The draft of the rest sees 80 before it and 50 in it: over(130) − over(80) = 30 − 0 = 30 ×
   * 0.001 = 0.03, the period's max(0, 130 − 100), the included amount granted once.
   */
  @Test
  void aPeriodSplitBetweenTwoInvoicesBillsItsOverageOnceBetweenThem() {
    Limit hundred = new Limit(new BigDecimal("100"), LimitKind.SOFT);
    assertEquals(List.of(), lines(USD, USD_RATES, use(Meter.AI_QUERIES, hundred, "0", "80")));
    assertEquals(
        List.of("OVERAGE ai_queries overage ai_queries 30 query 0.001 0.03"),
        lines(USD, USD_RATES, use(Meter.AI_QUERIES, hundred, "80", "50")));
  }

  /**
   * An invoice spanning two billing periods: 0.0625 GB over in each. Rounded apart, each would
   * be 0.005 → 0.01 (0.02 in all); summed exactly first, 0.125 × 0.08 = 0.01, rounded once.
   */
  @Test
  void theOverageOfSeveralPeriodsIsSummedExactlyAndRoundedOnce() {
    assertEquals(
        List.of("OVERAGE bandwidth_gb overage bandwidth_gb 0.1250 GB 0.08 0.01"),
        lines(
            USD,
            USD_RATES,
            soft(Meter.BANDWIDTH_GB, "5", "5.0625"),
            soft(Meter.BANDWIDTH_GB, "5", "5.0625")));
  }

  @Test
  void overageInACurrencyWithoutMeterRatesIsRefusedNotPricedInAnother() {
    CounterUse over = soft(Meter.AI_QUERIES, "100", "101");
    assertThrows(
        IllegalStateException.class,
        () -> MeterCharges.lines(VND, Optional.empty(), MARCH, APRIL, List.of(over)));
    assertEquals(List.of(), lines(VND, Optional.empty(), soft(Meter.AI_QUERIES, "100", "99")));
  }

  /** Pro until March 15, Enterprise from then: the plan at the period's end sets its amounts. */
  @Test
  void theIncludedAmountIsThatOfThePlanInEffectAtTheEndOfThePeriod() {
    PlanTerm pro = term("pro", MARCH, MARCH_15);
    PlanTerm enterprise = term("enterprise", MARCH_15, null);
    List<PlanTerm> terms = List.of(enterprise, pro);

    assertEquals(Optional.of(enterprise), MeterCharges.planAt(terms, APRIL));
    assertEquals(Optional.of(pro), MeterCharges.planAt(terms, MARCH_15));
    assertEquals(Optional.empty(), MeterCharges.planAt(terms, MARCH));
  }

  private static PlanTerm term(String planId, Instant from, Instant to) {
    return new PlanTerm(planId, planId, BigDecimal.ONE, "month", null, null, null, from, to);
  }
}
