package io.streamspace.billing.catalog.share;

import static io.streamspace.billing.catalog.share.ShareTables.USD;
import static io.streamspace.billing.catalog.share.ShareTables.money;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Share tables are validated when made, and their periods are calendar ones in a zone. */
class ShareTableTest {

  private static final ZoneId HANOI = ZoneId.of("Asia/Ho_Chi_Minh"); // UTC+7, no DST

  private static Tier tier(String from, String rate) {
    return new Tier(money(from), money(rate));
  }

  private static String refused(List<Tier> tiers, Optional<BigDecimal> cap) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> new ShareTable(USD, tiers, ResetPeriod.CALENDAR_YEAR, cap))
        .getMessage();
  }

  @Test
  void shopifysModelIsData() {
    ShareTable shopify = ShareTable.shopifyLike();

    assertEquals("USD", shopify.currency().getCurrencyCode());
    assertEquals(List.of(tier("0.00", "0"), tier("1000000.00", "0.15")), shopify.tiers());
    assertEquals(ResetPeriod.CALENDAR_YEAR, shopify.reset());
    assertEquals(Optional.empty(), shopify.capPerPeriod());
    assertEquals("0% from 0.00", shopify.tierAt(money("999999.99")).label());
    assertEquals("15% from 1000000.00", shopify.tierAt(money("1000000.00")).label());
  }

  @Test
  void theVndTableHasWholeDongThresholdsAndACap() {
    ShareTable vnd = ShareTable.vndMonthly();

    assertEquals("VND", vnd.currency().getCurrencyCode());
    assertEquals(
        "30% from 0 | 20% from 50000000 | 10% from 500000000",
        String.join(" | ", vnd.tiers().stream().map(Tier::label).toList()));
    assertEquals(Optional.of(money("100000000")), vnd.capPerPeriod());
  }

  @Test
  void aTableThatDoesNotStartAtZeroOrAscendOrHasABadRateIsRefused() {
    assertEquals("a share table needs at least one tier", refused(List.of(), Optional.empty()));
    assertEquals(
        "the first tier must start from 0, not 10.00",
        refused(List.of(tier("10", "0.1")), Optional.empty()));
    assertEquals(
        "tier thresholds must ascend: 100.00 after 100.00",
        refused(
            List.of(tier("0", "0.2"), tier("100", "0.1"), tier("100", "0.05")), Optional.empty()));
    assertEquals(
        "tier thresholds must ascend: 50.00 after 100.00",
        refused(
            List.of(tier("0", "0.2"), tier("100", "0.1"), tier("50", "0.05")), Optional.empty()));
    assertEquals(
        "a tier's fromGross 0.001 has more decimals than USD's 2",
        refused(List.of(tier("0", "0.2"), tier("0.001", "0.1")), Optional.empty()));
    assertEquals(
        "capPerPeriod must be at least 0, was -1.00",
        refused(List.of(tier("0", "0.2")), Optional.of(money("-1"))));
    assertEquals(
        "a tier's platformRate must be 0 to 1, was 1.01",
        assertThrows(IllegalArgumentException.class, () -> tier("0", "1.01")).getMessage());
    assertEquals(
        "a tier's platformRate must be 0 to 1, was -0.1",
        assertThrows(IllegalArgumentException.class, () -> tier("0", "-0.1")).getMessage());
  }

  @Test
  void aPeriodIsTheCalendarYearOrMonthInTheStoresZone() {
    // 17:30 UTC on 31 December 2026 is 00:30 on 1 January 2027 in Hanoi (UTC+7)
    Instant newYearInHanoi = Instant.parse("2026-12-31T17:30:00Z");

    assertEquals("2027", ResetPeriod.CALENDAR_YEAR.periodKey(newYearInHanoi, HANOI));
    assertEquals("2026", ResetPeriod.CALENDAR_YEAR.periodKey(newYearInHanoi, ZoneOffset.UTC));
    assertEquals(
        Instant.parse("2026-12-31T17:00:00Z"),
        ResetPeriod.CALENDAR_YEAR.periodStart(newYearInHanoi, HANOI));
    assertEquals("2027-01", ResetPeriod.CALENDAR_MONTH.periodKey(newYearInHanoi, HANOI));
    assertEquals(
        Instant.parse("2026-12-01T00:00:00Z"),
        ResetPeriod.CALENDAR_MONTH.periodStart(newYearInHanoi, ZoneOffset.UTC));
    assertEquals("all", ResetPeriod.NEVER.periodKey(newYearInHanoi, HANOI));
    assertEquals(Instant.EPOCH, ResetPeriod.NEVER.periodStart(newYearInHanoi, HANOI));
  }
}
