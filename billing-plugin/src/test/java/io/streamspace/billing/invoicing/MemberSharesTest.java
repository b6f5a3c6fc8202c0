package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.invoicing.MemberShares.Share;
import io.streamspace.billing.invoicing.MeterCharges.CounterUse;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A team's invoice lines shared out among its members, with figures worked out by hand. */
class MemberSharesTest {

  private static final BillingPeriods UTC_PERIODS = new BillingPeriods(1, ZoneOffset.UTC);
  private static final Currency USD = Currency.getInstance("USD");
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");
  private static final String HOUR = "2026-03-10T10:00:00Z";

  /** Pro all March: 29.99, 8 cores, 16 GB, 100 GB. */
  private static final List<PlanTerm> PRO =
      List.of(
          new PlanTerm(
              "pro",
              "Professional",
              new BigDecimal("29.99"),
              "month",
              new BigDecimal("8"),
              new BigDecimal("16"),
              new BigDecimal("100"),
              MARCH,
              null));

  /** {@code amount} of the unit held for {@code seconds} of the hour by the member (null: org). */
  private static MemberBucket part(
      String member, UsageUnit unit, String amount, long seconds, String price) {
    Instant start = Instant.parse(HOUR);
    return new MemberBucket(
        member,
        new UsageBucket(
            unit,
            start,
            start.plusSeconds(3600),
            new BigDecimal(amount).multiply(BigDecimal.valueOf(seconds)),
            new BigDecimal(price)));
  }

  /** The lines the mode computes from the parts, shared out, as {@code "line member qty amount"}. */
  private static List<String> shares(BillingMode mode, List<MemberBucket> parts) {
    List<ChargeLine> lines =
        PeriodCharges.compute(
            mode,
            USD,
            MARCH,
            APRIL,
            PRO,
            List.copyOf(MemberBucket.byBucket(parts).keySet()),
            UTC_PERIODS);
    return MemberShares.of(lines, parts, PRO, List.of(), List.of(), USD).stream()
        .map(MemberSharesTest::shown)
        .toList();
  }

  private static String shown(Share share) {
    return share.lineNo()
        + " "
        + share.memberId()
        + " "
        + (share.quantity() == null ? null : share.quantity().toPlainString())
        + " "
        + share.amount().toPlainString();
  }

  @Test
  void aUsageLineIsSplitAmongItsMembersAndStorageIsTheOrganizations() {
    // cpu: u1 2 cores and u2 1 core for the hour: 3 core-hours × 0.05 = 0.15, u1 0.10 and u2
    // 0.05 exactly; storage, the organization's: 73 GB for the hour = 0.1 GB-month × 0.10 =
    // 0.01
    assertEquals(
        List.of("1 u1 2 0.10", "1 u2 1 0.05", "2 null 0.1 0.01"),
        shares(
            BillingMode.USAGE,
            List.of(
                part("u1", UsageUnit.CPU, "2", 3600, "0.05"),
                part("u2", UsageUnit.CPU, "1", 3600, "0.050"),
                part(null, UsageUnit.STORAGE, "73", 3600, "0.10"))));
  }

  @Test
  void anHoursOverageIsSharedAsItsUseAndThePlanFeeIsTheOrganizations() {
    // u1 2, u2 2 and u3 7 cores for the hour: 11 × 3,600 = 39,600 core-seconds against Pro's
    // 28,800: 10,800 over (3 core-hours × 0.05 = 0.15). Shared as the hour's use, to the
    // millionth of a core-second: u1 and u2 10,800 × 2/11 = 1,963.636363… each and u3 10,800 ×
    // 7/11 = 6,872.727272…; floors 1,963.636363 + 1,963.636363 + 6,872.727272 leave 2
    // millionths, for the largest remainders: u3's (0.0288 of 39,600) then u1's (0.0252, tied
    // with u2's, the smaller id first). In money: 0.0272727… for u1 and u2, 0.0954545… for u3;
    // floors 0.02 + 0.02 + 0.09 = 0.13 leave 2 cents, for u1 and u2 (0.0073 left each, u3
    // 0.0055): 0.03 + 0.03 + 0.09 = 0.15. The fee, 29.99, is the organization's.
    assertEquals(
        List.of(
            "1 null null 29.99", "2 u1 0.545455 0.03", "2 u2 0.545455 0.03", "2 u3 1.909091 0.09"),
        shares(
            BillingMode.HYBRID,
            List.of(
                part("u1", UsageUnit.CPU, "2", 3600, "0.05"),
                part("u2", UsageUnit.CPU, "2", 3600, "0.05"),
                part("u3", UsageUnit.CPU, "7", 3600, "0.05"))));
  }

  @Test
  void anHourWithinThePlanHasNoOverageToShare() {
    // 4 + 4 cores for the hour: exactly Pro's 8; the fee alone
    assertEquals(
        List.of("1 null null 29.99"),
        shares(
            BillingMode.HYBRID,
            List.of(
                part("u1", UsageUnit.CPU, "4", 3600, "0.05"),
                part("u2", UsageUnit.CPU, "4", 3600, "0.05"))));
  }

  @Test
  void aCountersOverageIsSharedAsItsMembersReportedIt() {
    // bandwidth, 100 GB included (soft), 0.08 per GB: u1 reported 70 GB and u2 60, 30 over,
    // 2.40. Shared as reported, to the millionth of a GB: u1 30 × 70/130 = 16.153846…, u2 30 ×
    // 60/130 = 13.846153…; floors leave a millionth, for u2's larger remainder (0.00011 of
    // 130 against u1's 0.00002): 16.153846 and 13.846154. In money 1.2923… and 1.1076…: floors
    // 1.29 + 1.10 leave a cent, for u2's (0.0077 against 0.0023): 1.29 and 1.11.
    CounterUse use =
        new CounterUse(
            Meter.BANDWIDTH_GB,
            new Limit(new BigDecimal("100"), LimitKind.SOFT),
            BigDecimal.ZERO,
            new BigDecimal("130"));
    List<ChargeLine> lines =
        MeterCharges.lines(
            USD,
            Optional.of(new MeterRates(Map.of(Meter.BANDWIDTH_GB, new BigDecimal("0.08")))),
            MARCH,
            APRIL,
            List.of(use));
    List<MemberCounterUse> counters =
        List.of(
            new MemberCounterUse(
                use, Map.of("u1", new BigDecimal("70"), "u2", new BigDecimal("60"))));

    assertEquals(
        List.of("1 u1 16.153846 1.29", "1 u2 13.846154 1.11"),
        MemberShares.of(lines, List.of(), PRO, counters, List.of(), USD).stream()
            .map(MemberSharesTest::shown)
            .toList());
  }
}
