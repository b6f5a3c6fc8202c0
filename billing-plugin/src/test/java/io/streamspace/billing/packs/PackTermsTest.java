package io.streamspace.billing.packs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.CapacityPack.Kind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.packs.PackPurchases.Refused;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What buying, renewing and cancelling a pack mean, with the dates worked out by hand. */
class PackTermsTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Instant MARCH_10_NOON = Instant.parse("2026-03-10T12:00:00Z");

  private static CapacityPack pack(Kind kind, Integer validDays) {
    return new CapacityPack(
        "cores-4",
        "4 more cores",
        Map.of(Meter.CPU_CORES, new BigDecimal("4")),
        Map.of(USD, new BigDecimal("9.99")),
        kind,
        validDays);
  }

  /** A one-time purchase of 30 days at 9.99 USD, bought March 10 at noon, valid until {@code until}. */
  private static Purchase oneTime(String until) {
    return purchase("one_time", 30, Instant.parse(until), null);
  }

  private static Purchase purchase(
      String kind, Integer validDays, Instant validUntil, Instant cancelledAt) {
    return new Purchase(
        1,
        "ann",
        "cores-4",
        "4 more cores",
        kind,
        Map.of(),
        new BigDecimal("9.99"),
        "USD",
        validDays,
        MARCH_10_NOON,
        MARCH_10_NOON,
        validUntil,
        cancelledAt,
        null,
        true,
        List.of());
  }

  @Test
  void aOneTimePackIsValidForItsDaysFromItsPurchase() {
    // March 10 12:00 + 30 days: 21 days to March 31, 9 more to April 9, at the same hour
    assertEquals(
        Instant.parse("2026-04-09T12:00:00Z"),
        PackTerms.validUntil(pack(Kind.ONE_TIME, 30), MARCH_10_NOON));
  }

  @Test
  void aOneTimePackBoughtInFebruaryOfALeapYearCountsTheTwentyNinth() {
    // February 2028 has 29 days: February 10 + 19 days = February 29, + 11 more = March 11
    assertEquals(
        Instant.parse("2028-03-11T08:00:00Z"),
        PackTerms.validUntil(pack(Kind.ONE_TIME, 30), Instant.parse("2028-02-10T08:00:00Z")));
  }

  @Test
  void aRecurringPackHasNoEndUntilCancelled() {
    assertNull(PackTerms.validUntil(pack(Kind.RECURRING, null), MARCH_10_NOON));
  }

  @Test
  void onlyAOneTimePurchaseIsChargedOnALineOfItsOwn() {
    assertTrue(PackTerms.purchaseCharged(Kind.ONE_TIME));
    assertFalse(PackTerms.purchaseCharged(Kind.RECURRING));
  }

  @Test
  void aRenewalBeforeTheEndKeepsTheDaysLeftAndAddsItsDaysAfterThem() throws Refused {
    // renewed on March 30 while valid until April 9 12:00: April 9 12:00 + 30 days = May 9
    PackTerms.Renewal renewal =
        PackTerms.renewal(oneTime("2026-04-09T12:00:00Z"), Instant.parse("2026-03-30T09:00:00Z"));

    assertEquals(Instant.parse("2026-04-09T12:00:00Z"), renewal.from());
    assertEquals(Instant.parse("2026-05-09T12:00:00Z"), renewal.until());
  }

  @Test
  void aRenewalAfterTheEndStartsAgainFromNow() throws Refused {
    // expired on April 9 12:00, renewed on April 20 08:15: April 20 + 30 days = May 20
    PackTerms.Renewal renewal =
        PackTerms.renewal(oneTime("2026-04-09T12:00:00Z"), Instant.parse("2026-04-20T08:15:00Z"));

    assertEquals(Instant.parse("2026-04-20T08:15:00Z"), renewal.from());
    assertEquals(Instant.parse("2026-05-20T08:15:00Z"), renewal.until());
  }

  @Test
  void aRenewalAtTheVeryEndStartsFromNowWhichIsTheEnd() throws Refused {
    Instant end = Instant.parse("2026-04-09T12:00:00Z");

    PackTerms.Renewal renewal = PackTerms.renewal(oneTime("2026-04-09T12:00:00Z"), end);

    assertEquals(end, renewal.from());
    assertEquals(Instant.parse("2026-05-09T12:00:00Z"), renewal.until());
  }

  @Test
  void aRenewalCostsThePriceAsBoughtInItsCurrency() throws Refused {
    PackTerms.Renewal renewal =
        PackTerms.renewal(oneTime("2026-04-09T12:00:00Z"), Instant.parse("2026-03-30T09:00:00Z"));

    assertEquals(new BigDecimal("9.99"), renewal.price());
    assertEquals(USD, renewal.currency());
  }

  @Test
  void aRecurringPurchaseIsNotRenewed() {
    Refused refused =
        assertThrows(
            Refused.class,
            () -> PackTerms.renewal(purchase("recurring", null, null, null), MARCH_10_NOON));

    assertEquals("not_renewable", refused.code());
  }

  @Test
  void aOneTimePurchaseIsNotCancelled() {
    Refused refused =
        assertThrows(
            Refused.class, () -> PackTerms.requireCancellable(oneTime("2026-04-09T12:00:00Z")));

    assertEquals("not_cancellable", refused.code());
  }

  @Test
  void aRecurringPurchaseIsCancelledOnce() throws Refused {
    PackTerms.requireCancellable(purchase("recurring", null, null, null));

    Refused refused =
        assertThrows(
            Refused.class,
            () ->
                PackTerms.requireCancellable(
                    purchase("recurring", null, null, Instant.parse("2026-03-20T00:00:00Z"))));
    assertEquals("already_cancelled", refused.code());
  }
}
