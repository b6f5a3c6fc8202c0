package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.invoicing.PackCharges.OneTimeCharge;
import io.streamspace.billing.invoicing.PackCharges.RecurringPack;
import io.streamspace.billing.money.BillingPeriods;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pack lines of an invoice, with figures worked out by hand. */
class PackChargesTest {

  /** Invoice day 1 in UTC: each calendar month is a billing period. */
  private static final BillingPeriods UTC_PERIODS = new BillingPeriods(1, ZoneOffset.UTC);

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");

  private static Instant at(String instant) {
    return Instant.parse(instant);
  }

  private static RecurringPack storage(String from, String until) {
    return new RecurringPack(
        "10 GB storage", new BigDecimal("2.00"), at(from), until == null ? null : at(until));
  }

  /** Each line as {@code "description amount"}. */
  private static List<String> lines(
      Currency currency,
      String start,
      String end,
      List<OneTimeCharge> oneTime,
      List<RecurringPack> recurring) {
    return PackCharges.lines(currency, at(start), at(end), oneTime, recurring, UTC_PERIODS).stream()
        .map(line -> line.kind() + " " + line.description() + " " + line.amount())
        .toList();
  }

  @Test
  void aRecurringPackActiveAllPeriodCostsExactlyItsPrice() {
    assertEquals(
        List.of("PACK 10 GB storage, 2026-02-01 – 2026-03-01 2.00"),
        lines(
            USD,
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            List.of(),
            List.of(storage("2026-01-15T00:00:00Z", null))));
  }

  /**
   * Bought February 15 12:00, cancelled March 10 00:00. February (28 days): 13.5 days, 2.00 ×
   * 13.5 / 28 = 0.9642… → 0.96. March (31 days): 9 days, 2.00 × 9 / 31 = 0.5806… → 0.58.
   */
  @Test
  void aRecurringPackIsProratedToTheSecondWhenBoughtAndWhenCancelled() {
    RecurringPack pack = storage("2026-02-15T12:00:00Z", "2026-03-10T00:00:00Z");

    assertEquals(
        List.of("PACK 10 GB storage, 2026-02-15 – 2026-03-01 0.96"),
        lines(USD, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", List.of(), List.of(pack)));
    assertEquals(
        List.of("PACK 10 GB storage, 2026-03-01 – 2026-03-10 0.58"),
        lines(USD, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", List.of(), List.of(pack)));
    assertEquals(
        List.of(),
        lines(USD, "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z", List.of(), List.of(pack)));
  }

  /**
   * An admin's invoice of March 20 to April 10 spans two billing periods, each prorated against
   * its own length and the sum rounded once: 2.00 × 12 / 31 + 2.00 × 9 / 30 = 0.7741… + 0.60 =
   * 1.3741… → 1.37 (as a plan fee is).
   */
  @Test
  void aRecurringPackOverSeveralPeriodsIsProratedAgainstEachAndRoundedOnce() {
    assertEquals(
        List.of("PACK 10 GB storage, 2026-03-20 – 2026-04-10 1.37"),
        lines(
            USD,
            "2026-03-20T00:00:00Z",
            "2026-04-10T00:00:00Z",
            List.of(),
            List.of(storage("2026-03-01T00:00:00Z", null))));
  }

  /**
   * One-time charges cost their price in full, in the order they happened, before the recurring
   * packs; in VND 50,000 × 22 / 31 = 35,483.87… → 35,484.
   */
  @Test
  void oneTimeChargesCostTheirPriceInFullBeforeTheRecurringPacks() {
    OneTimeCharge renewal =
        new OneTimeCharge(
            "5 job slots",
            new BigDecimal("125000"),
            at("2026-03-20T00:00:00Z"),
            at("2026-04-09T00:00:00Z"),
            at("2026-05-09T00:00:00Z"));
    OneTimeCharge bought =
        new OneTimeCharge(
            "5 job slots",
            new BigDecimal("125000"),
            at("2026-03-10T00:00:00Z"),
            at("2026-03-10T00:00:00Z"),
            at("2026-04-09T00:00:00Z"));
    RecurringPack storage =
        new RecurringPack(
            "10 GB storage", new BigDecimal("50000"), at("2026-03-10T00:00:00Z"), null);

    assertEquals(
        List.of(
            "PACK 5 job slots, 2026-03-10 – 2026-04-09 125000",
            "PACK 5 job slots, 2026-04-09 – 2026-05-09 125000",
            "PACK 10 GB storage, 2026-03-10 – 2026-04-01 35484"),
        lines(
            VND,
            "2026-03-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            List.of(renewal, bought),
            List.of(storage)));
  }
}
