package io.streamspace.billing.store.share;

import static io.streamspace.billing.catalog.share.ShareTables.USD;
import static io.streamspace.billing.catalog.share.ShareTables.VND;
import static io.streamspace.billing.catalog.share.ShareTables.flat;
import static io.streamspace.billing.catalog.share.ShareTables.money;
import static io.streamspace.billing.catalog.share.ShareTables.worked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.share.ShareTable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A sale's split across tiers and the cap, and its claw-backs, with figures worked by hand. */
class RevenueShareTest {

  private static CreatorPeriodTotals totals(String gross, String take) {
    return new CreatorPeriodTotals(money(gross), money(take));
  }

  /** The split of a creator's first sale of the period. */
  private static SaleSplit first(ShareTable table, String gross) {
    return RevenueShare.split(table, CreatorPeriodTotals.ZERO, money(gross));
  }

  /** A split as {@code gross = platform + creator}, easy to compare with hand figures. */
  private static String shown(SaleSplit split) {
    return split.gross().toPlainString()
        + " = "
        + split.platformShare().toPlainString()
        + " + "
        + split.creatorShare().toPlainString();
  }

  /** The parts as {@code amount@rate→exact}. */
  private static String parts(SaleSplit split) {
    StringBuilder shown = new StringBuilder();
    for (TierPart part : split.parts()) {
      shown
          .append(part.amount().toPlainString())
          .append('@')
          .append(part.tier().platformRate().toPlainString())
          .append("→")
          .append(part.platformExact().toPlainString())
          .append(' ');
    }
    return shown.toString().trim();
  }

  @Test
  void aSaleWithinShopifysFirstMillionLeavesTheCreatorEverything() {
    // 0 % of the first 1,000,000.00 in the year: 4.99 = 0.00 + 4.99
    SaleSplit split = first(ShareTable.shopifyLike(), "4.99");

    assertEquals("4.99 = 0.00 + 4.99", shown(split));
    assertEquals("0% from 0.00", split.tierReached());
    assertFalse(split.capReached());
  }

  @Test
  void aSaleAcrossShopifysMillionPaysNothingBelowItAndFifteenPercentAbove() {
    // 999,990.00 so far, a sale of 49.99: 10.00 at 0 % = 0, 39.99 at 15 % = 5.9985;
    // rounded half up to 6.00; the creator 49.99 − 6.00 = 43.99
    SaleSplit split =
        RevenueShare.split(ShareTable.shopifyLike(), totals("999990.00", "0.00"), money("49.99"));

    assertEquals("49.99 = 6.00 + 43.99", shown(split));
    assertEquals("10.00@0→0.00 39.99@0.15→5.9985", parts(split));
    assertEquals("15% from 1000000.00", split.tierReached());
  }

  @Test
  void aSaleMayCrossSeveralTiersAndBeCutByTheCap() {
    // VND table: 30 % to 50,000,000, 20 % to 500,000,000, 10 % above, cap 100,000,000 a month.
    // 40,000,000 sold (12,000,000 taken) and a sale of 500,000,000 up to 540,000,000:
    //   10,000,000 × 0.30 =  3,000,000
    //  450,000,000 × 0.20 = 90,000,000
    //   40,000,000 × 0.10 =  4,000,000   exact 97,000,000
    // but only 100,000,000 − 12,000,000 = 88,000,000 of the cap is left: the platform 88,000,000,
    // the creator 500,000,000 − 88,000,000 = 412,000,000
    SaleSplit split =
        RevenueShare.split(
            ShareTable.vndMonthly(), totals("40000000", "12000000"), money("500000000"));

    assertEquals("500000000 = 88000000 + 412000000", shown(split));
    assertEquals(
        "10000000@0.30→3000000.00 450000000@0.20→90000000.00 40000000@0.10→4000000.00",
        parts(split));
    assertTrue(split.capReached());
    assertEquals("10% from 500000000", split.tierReached());
  }

  @Test
  void theWorkedExampleCrossesTheTierBoundaryAndReachesTheCap() {
    // docs/store-revenue-share.md, "A worked example": 20 % to 1,000.00, 10 % to 5,000.00, 5 %
    // above, cap 300.00 a month; the creator's November sales in order
    ShareTable table = worked();
    CreatorPeriodTotals t = CreatorPeriodTotals.ZERO;

    // S1 800.00, all in tier 1: 800.00 × 0.20 = 160.00
    SaleSplit s1 = RevenueShare.split(table, t, money("800.00"));
    assertEquals("800.00 = 160.00 + 640.00", shown(s1));
    t = t.plus(s1); // 800.00 sold, 160.00 taken

    // S2 499.99 from 800.00 to 1,299.99: 200.00 × 0.20 = 40.00, 299.99 × 0.10 = 29.999;
    // 69.999 rounded half up = 70.00
    SaleSplit s2 = RevenueShare.split(table, t, money("499.99"));
    assertEquals("499.99 = 70.00 + 429.99", shown(s2));
    assertEquals("200.00@0.20→40.0000 299.99@0.10→29.9990", parts(s2));
    assertEquals("10% from 1000.00", s2.tierReached());
    t = t.plus(s2); // 1,299.99 sold, 230.00 taken

    // S3 4,000.00 from 1,299.99 to 5,299.99: 3,700.01 × 0.10 = 370.001, 299.99 × 0.05 =
    // 14.9995; 385.0005 rounds to 385.00, but 300.00 − 230.00 = 70.00 of the cap is left
    SaleSplit s3 = RevenueShare.split(table, t, money("4000.00"));
    assertEquals("4000.00 = 70.00 + 3930.00", shown(s3));
    assertEquals("3700.01@0.10→370.0010 299.99@0.05→14.9995", parts(s3));
    assertTrue(s3.capReached());
    t = t.plus(s3); // 5,299.99 sold, 300.00 taken: the cap

    // S4 100.00 at 5 % would be 5.00: the cap is full, the creator gets it all
    SaleSplit s4 = RevenueShare.split(table, t, money("100.00"));
    assertEquals("100.00 = 0.00 + 100.00", shown(s4));
    assertTrue(s4.capReached());
    t = t.plus(s4); // 5,399.99 sold, 300.00 taken

    // R2: S2 refunded whole: −499.99 = −70.00 + −429.99; the counters go back to 4,900.00 sold
    // and 230.00 taken
    SaleSplit r2 = RevenueShare.clawBack(s2);
    assertEquals("-499.99 = -70.00 + -429.99", shown(r2));
    t = t.plus(r2);
    assertEquals(totals("4900.00", "230.00"), t);

    // S5 200.00 from 4,900.00 to 5,100.00: 100.00 × 0.10 = 10.00, 100.00 × 0.05 = 5.00; 15.00
    // of the 70.00 the refund freed in the cap
    SaleSplit s5 = RevenueShare.split(table, t, money("200.00"));
    assertEquals("200.00 = 15.00 + 185.00", shown(s5));
    assertFalse(s5.capReached());
  }

  @Test
  void halfAMinorUnitGoesToThePlatformAndLessStaysWithTheCreator() {
    // USD at 15 %: 0.30 × 0.15 = 0.045 → 0.05 (half up); 0.29 × 0.15 = 0.0435 → 0.04
    assertEquals("0.30 = 0.05 + 0.25", shown(first(flat(USD, "0.15"), "0.30")));
    assertEquals("0.29 = 0.04 + 0.25", shown(first(flat(USD, "0.15"), "0.29")));
    // VND has no minor unit: 5 × 0.30 = 1.5 → 2; 99,999 × 0.30 = 29,999.7 → 30,000
    assertEquals("5 = 2 + 3", shown(first(flat(VND, "0.30"), "5")));
    assertEquals("99999 = 30000 + 69999", shown(first(flat(VND, "0.30"), "99999")));
  }

  @Test
  void aGrossThatIsNotAPositiveAmountOfTheCurrencyIsRefused() {
    ShareTable usd = ShareTable.shopifyLike();
    assertEquals(
        "a sale's gross must be more than 0 USD, was 0",
        assertThrows(
                IllegalArgumentException.class,
                () -> RevenueShare.split(usd, CreatorPeriodTotals.ZERO, BigDecimal.ZERO))
            .getMessage());
    assertEquals(
        "a sale's gross must be more than 0 USD, was -1.00",
        assertThrows(
                IllegalArgumentException.class,
                () -> RevenueShare.split(usd, CreatorPeriodTotals.ZERO, money("-1.00")))
            .getMessage());
    assertEquals(
        "a sale's gross 1.005 has more decimals than USD's 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> RevenueShare.split(usd, CreatorPeriodTotals.ZERO, money("1.005")))
            .getMessage());
    assertEquals(
        "a sale's gross 1.5 has more decimals than VND's 0",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    RevenueShare.split(
                        ShareTable.vndMonthly(), CreatorPeriodTotals.ZERO, money("1.5")))
            .getMessage());
  }

  @Test
  void aPeriodComputedInSaleOrderGivesTheSameSplitsWhateverOrderItsSalesArriveIn() {
    // two sales at the same instant are taken by id: "a" before "b", whichever arrives first
    Instant noon = Instant.parse("2026-11-10T12:00:00Z");
    List<Sale> sales = new ArrayList<>();
    sales.add(new Sale("b", noon, money("600.00")));
    sales.add(new Sale("a", noon, money("600.00")));
    sales.add(new Sale("c", noon.plusSeconds(60), money("4200.00")));
    sales.add(new Sale("0", noon.minusSeconds(60), money("0.30")));

    Map<String, SaleSplit> first =
        RevenueShare.splitInOrder(worked(), CreatorPeriodTotals.ZERO, sales);
    Collections.shuffle(sales, new Random(31));
    Map<String, SaleSplit> again =
        RevenueShare.splitInOrder(worked(), CreatorPeriodTotals.ZERO, sales);

    assertEquals(first, again);
    assertEquals(List.of("0", "a", "b", "c"), List.copyOf(first.keySet()));
    // "0": 0.30 × 0.20 = 0.06; "a" from 0.30: 600.00 × 0.20 = 120.00; "b" from 600.30: 399.70 ×
    // 0.20 = 79.94 and 200.30 × 0.10 = 20.03, 99.97; "c" from 1,200.30: 3,799.70 × 0.10 =
    // 379.97 and 400.30 × 0.05 = 20.015, 399.985 → 399.99, cut to 300 − 0.06 − 120.00 − 99.97
    // = 79.97 of the cap
    assertEquals("0.30 = 0.06 + 0.24", shown(first.get("0")));
    assertEquals("600.00 = 120.00 + 480.00", shown(first.get("a")));
    assertEquals("600.00 = 99.97 + 500.03", shown(first.get("b")));
    assertEquals("4200.00 = 79.97 + 4120.03", shown(first.get("c")));
  }

  @Test
  void aWholeClawBackIsTheExactNegativeOfTheSplit() {
    SaleSplit sale =
        RevenueShare.split(ShareTable.shopifyLike(), totals("999990.00", "0.00"), money("49.99"));

    SaleSplit back = RevenueShare.clawBack(sale);

    assertEquals("-49.99 = -6.00 + -43.99", shown(back));
    assertEquals("-10.00@0→0.00 -39.99@0.15→-5.9985", parts(back));
    assertEquals(sale.tierReached(), back.tierReached());
    // refunding all of it by the partial rule gives the same
    assertEquals(back, RevenueShare.clawBack(sale, money("49.99")));
  }

  @Test
  void partialRefundsGiveBackProportionallyAndAddUpToTheWholeSale() {
    // 10.00 at 15 %: 1.50 + 8.50. Three refunds of 3.33, 3.33 and 3.34:
    //   round(1.50 × 3.33 / 10 = 0.4995) − 0 = 0.50, the creator 3.33 − 0.50 = 2.83
    //   round(1.50 × 6.66 / 10 = 0.999) − 0.50 = 0.50, the creator 2.83
    //   round(1.50 × 10.00 / 10 = 1.50) − 1.00 = 0.50, the creator 3.34 − 0.50 = 2.84
    // in all 1.50 + 8.50: exactly the sale
    SaleSplit sale = first(flat(USD, "0.15"), "10.00");
    assertEquals("10.00 = 1.50 + 8.50", shown(sale));

    SaleSplit first = RevenueShare.clawBack(sale, money("3.33"));
    SaleSplit second = RevenueShare.clawBack(sale, money("3.33"), money("3.33"));
    SaleSplit third = RevenueShare.clawBack(sale, money("6.66"), money("3.34"));

    assertEquals("-3.33 = -0.50 + -2.83", shown(first));
    assertEquals("-3.33 = -0.50 + -2.83", shown(second));
    assertEquals("-3.34 = -0.50 + -2.84", shown(third));
    assertTrue(first.parts().isEmpty());
  }

  @Test
  void halvesOfACentAreGivenBackOnceNotTwice() {
    // 1.00 at 1 %: 0.01 + 0.99. Two refunds of 0.50: round(0.01 × 0.50 / 1.00 = 0.005) = 0.01,
    // then round(0.01 × 1.00 / 1.00) − 0.01 = 0.00: the platform gives back its cent once
    // (rounding each half alone would give back 0.02)
    SaleSplit sale = first(flat(USD, "0.01"), "1.00");

    assertEquals("-0.50 = -0.01 + -0.49", shown(RevenueShare.clawBack(sale, money("0.50"))));
    assertEquals(
        "-0.50 = 0.00 + -0.50", shown(RevenueShare.clawBack(sale, money("0.50"), money("0.50"))));
  }

  @Test
  void aRefundOfMoreThanTheSaleOrOfNothingIsRefused() {
    SaleSplit sale = first(flat(USD, "0.15"), "10.00");

    assertEquals(
        "a refund of 0.01 after 10.00 refunded would refund more than the sale's gross 10.00 USD",
        assertThrows(
                IllegalArgumentException.class,
                () -> RevenueShare.clawBack(sale, money("10.00"), money("0.01")))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> RevenueShare.clawBack(sale, money("0.00")));
    assertThrows(IllegalArgumentException.class, () -> RevenueShare.clawBack(sale, money("0.001")));
    assertThrows(
        IllegalArgumentException.class, () -> RevenueShare.clawBack(RevenueShare.clawBack(sale)));
  }

  @Test
  void aRefundLowersTheTierCounterForLaterSales() {
    // Shopify-like: a creator sells 900,000.00 (0 %) then 200,000.00: 100,000.00 at 0 % and
    // 100,000.00 at 15 % = 15,000.00. Had the first sale been refunded before the second, the
    // counter is back at 0.00 and the second is all at 0 %: buying one's own bundle and refunding
    // it does not move a creator up the tiers
    ShareTable table = ShareTable.shopifyLike();
    SaleSplit first = RevenueShare.split(table, CreatorPeriodTotals.ZERO, money("900000.00"));
    CreatorPeriodTotals kept = CreatorPeriodTotals.ZERO.plus(first);
    CreatorPeriodTotals refunded = kept.plus(RevenueShare.clawBack(first));

    assertEquals(
        "200000.00 = 15000.00 + 185000.00",
        shown(RevenueShare.split(table, kept, money("200000.00"))));
    assertEquals(totals("0.00", "0.00"), refunded);
    assertEquals(
        "200000.00 = 0.00 + 200000.00",
        shown(RevenueShare.split(table, refunded, money("200000.00"))));
  }

  @Test
  void aClawBackThatWasNeverCountedCannotTakeTheCountersBelowZero() {
    SaleSplit sale = first(flat(USD, "0.15"), "10.00");

    assertThrows(
        IllegalArgumentException.class,
        () -> CreatorPeriodTotals.ZERO.plus(RevenueShare.clawBack(sale)));
  }
}
