package io.streamspace.billing.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The charges of one period under each billing mode, with figures worked out by hand. */
class PeriodChargesTest {

  /** Invoice day 1 in UTC: each calendar month is a billing period. */
  private static final BillingPeriods UTC_PERIODS = new BillingPeriods(1, ZoneOffset.UTC);

  private static final Currency USD = Currency.getInstance("USD");
  private static final Currency VND = Currency.getInstance("VND");
  // March 2026: 31 days = 2,678,400 s
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");
  private static final Instant MARCH_15 = Instant.parse("2026-03-15T00:00:00Z");

  private static PlanTerm pro(String price, Instant from, Instant to) {
    return new PlanTerm(
        "pro",
        "Professional",
        new BigDecimal(price),
        "month",
        new BigDecimal("8"),
        new BigDecimal("16"),
        new BigDecimal("100"),
        from,
        to);
  }

  private static PlanTerm enterprise(String price, Instant from, Instant to) {
    return new PlanTerm(
        "enterprise",
        "Enterprise",
        new BigDecimal(price),
        "month",
        new BigDecimal("32"),
        new BigDecimal("64"),
        new BigDecimal("500"),
        from,
        to);
  }

  /** {@code cores} cores (or GB) held for {@code seconds} within the hour starting at {@code hour}. */
  private static UsageBucket bucket(
      UsageUnit unit, String hour, String cores, long seconds, String price) {
    Instant start = Instant.parse(hour);
    return new UsageBucket(
        unit,
        start,
        start.plusSeconds(3600),
        new BigDecimal(cores).multiply(BigDecimal.valueOf(seconds)),
        new BigDecimal(price));
  }

  /** Each line as {@code kind description amount}, easy to compare with hand figures. */
  private static List<String> lines(List<ChargeLine> lines) {
    List<String> shown = new ArrayList<>();
    for (ChargeLine line : lines) {
      shown.add(line.kind() + " " + line.description() + " " + line.amount().toPlainString());
    }
    return shown;
  }

  @Test
  void usageModeChargesAllUsageAtTheRatesAndNoPlanFee() {
    // 10 cores for an hour = 10 core-hours × 0.05 = 0.50; 20 GB for half an hour = 10 GB-hours
    // × 0.01 = 0.10. Pro's fee and limits play no part.
    List<ChargeLine> charges =
        charges(
            BillingMode.USAGE,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", MARCH, null)),
            List.of(
                bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "10", 3600, "0.05"),
                bucket(UsageUnit.MEMORY, "2026-03-02T10:00:00Z", "20", 1800, "0.01")));

    assertEquals(List.of("USAGE cpu usage 0.50", "USAGE memory usage 0.10"), lines(charges));
    assertEquals("10", charges.get(0).quantity().toPlainString());
  }

  @Test
  void subscriptionModeChargesTheWholePlanFeeForAWholePeriodAndNoUsage() {
    List<ChargeLine> charges =
        charges(
            BillingMode.SUBSCRIPTION,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", Instant.parse("2026-01-10T08:00:00Z"), null)),
            List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "40", 3600, "0.05")));

    assertEquals(List.of("PLAN_FEE Professional, 2026-03-01 – 2026-04-01 29.99"), lines(charges));
    ChargeLine fee = charges.get(0);
    assertEquals(MARCH, fee.from());
    assertEquals(APRIL, fee.to());
    assertEquals(new BigDecimal("29.99"), fee.unitPrice());
  }

  /**
   * A trial term is free and says until when: one ended by a plan change on March 10, before its
   * March 15 end, says March 10; the Enterprise term after it is prorated as any change.
   */
  @Test
  void aTrialTermIsALineOfNothingUntilItsTrialStopped_itsEndOrAnEarlierChange() {
    Instant change = Instant.parse("2026-03-10T00:00:00Z");
    PlanTerm trial = pro("0", MARCH, change).withTrialEnd(Instant.parse("2026-03-15T00:00:00Z"));
    PlanTerm running = pro("0", MARCH, null).withTrialEnd(Instant.parse("2026-03-15T00:00:00Z"));
    PlanTerm enterprise =
        new PlanTerm(
            "enterprise",
            "Enterprise",
            new BigDecimal("99.99"),
            "month",
            null,
            null,
            null,
            change,
            null);

    assertEquals(
        List.of(
            "PLAN_FEE Professional, trial until 2026-03-10 0.00",
            "PLAN_FEE Enterprise, 2026-03-10 – 2026-04-01 70.96"),
        lines(
            charges(
                BillingMode.SUBSCRIPTION,
                USD,
                MARCH,
                APRIL,
                List.of(trial, enterprise),
                List.of())),
        "99.99 × 22 ÷ 31 = 70.9606…");
    assertEquals(
        List.of("PLAN_FEE Professional, trial until 2026-03-15 0.00"),
        lines(charges(BillingMode.SUBSCRIPTION, USD, MARCH, APRIL, List.of(running), List.of())));
  }

  /** The seed README's example: on Pro (8 cores included), 10 cores for one hour. */
  @Test
  void hybridGoldenExampleTenCoresOnProForAnHourPayTwoCoreHoursOfOverage() {
    // included 8 × 3,600 = 28,800 core-seconds; used 36,000; overage 7,200 = 2 core-hours
    // × 0.05 = 0.10
    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", MARCH, null)),
            List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "10", 3600, "0.05")));

    assertEquals(
        List.of("PLAN_FEE Professional, 2026-03-01 – 2026-04-01 29.99", "OVERAGE cpu overage 0.10"),
        lines(charges));
    assertEquals("2", charges.get(1).quantity().toPlainString());
    assertEquals(new BigDecimal("0.05"), charges.get(1).unitPrice());
  }

  /**
   * A hibernated session holds nothing: in an hour where an active one ran 6 cores on Pro (8
   * included) and a hibernated one's 4 cores were rated at nothing, 24 core-hours of records
   * but only the 6 active ones count, none over; in usage mode the hibernated time is its own
   * line at 0.00, saving 4 × 0.05 = 0.20.
   */
  @Test
  void hibernatedTimeTakesNoAllowanceAndPaysNoOverage_andIsALineOfNothingInUsageMode() {
    Instant hour = Instant.parse("2026-03-02T10:00:00Z");
    List<UsageBucket> usage =
        List.of(
            bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "6", 3600, "0.05"),
            new UsageBucket(
                UsageUnit.CPU,
                hour,
                hour.plusSeconds(3600),
                new BigDecimal(4 * 3600),
                BigDecimal.ZERO,
                UsageSum.HIBERNATED,
                new BigDecimal(4 * 3600).multiply(new BigDecimal("0.05"))));

    assertEquals(
        List.of("PLAN_FEE Professional, 2026-03-01 – 2026-04-01 29.99"),
        lines(
            charges(
                BillingMode.HYBRID, USD, MARCH, APRIL, List.of(pro("29.99", MARCH, null)), usage)));
    List<ChargeLine> usageMode = charges(BillingMode.USAGE, USD, MARCH, APRIL, List.of(), usage);
    assertEquals(List.of("USAGE CPU, hibernated 0.00", "USAGE cpu usage 0.30"), lines(usageMode));
    assertEquals(new BigDecimal("0.20"), usageMode.get(0).saved());
    assertEquals(UsageSum.HIBERNATED, usageMode.get(0).activity());
  }

  @Test
  void hybridOverageIsMeasuredPerHourOnTheConcurrentAllocation() {
    // 20 GB for half an hour on Pro (16 GB): 36,000 GB-seconds against 16 × 3,600 = 57,600
    // included in that hour: no overage. 12 cores in one hour and 4 in the next do not average
    // out: the first hour is 4 core-hours over (0.20), the second none.
    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", MARCH, null)),
            List.of(
                bucket(UsageUnit.MEMORY, "2026-03-02T10:00:00Z", "20", 1800, "0.01"),
                bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "12", 3600, "0.05"),
                bucket(UsageUnit.CPU, "2026-03-02T11:00:00Z", "4", 3600, "0.05")));

    assertEquals(
        List.of("PLAN_FEE Professional, 2026-03-01 – 2026-04-01 29.99", "OVERAGE cpu overage 0.20"),
        lines(charges));
  }

  /**
   * A held meter is measured as cores are: Studio includes 1 GPU, so 2 GPUs held for an hour are
   * 7,200 GPU-seconds against 3,600 included, 3,600 over = 1 GPU-hour × 0.90 = 0.90; 1.5 GPUs
   * the next half hour are 2,700 against the hour's 3,600, none over. Pro leaves GPUs unlimited:
   * none is overage however many.
   */
  @Test
  void hybridOverageOfAHeldMeterIsWhatEachHourHoldsBeyondWhatTheTermIncludes() {
    UsageUnit gpu = UsageUnit.held("gpu");
    PlanTerm studio =
        new PlanTerm(
            "studio",
            "Studio",
            new BigDecimal("20"),
            "month",
            null,
            null,
            null,
            Map.of("gpu", BigDecimal.ONE),
            MARCH,
            null);
    List<UsageBucket> usage =
        List.of(
            bucket(gpu, "2026-03-02T10:00:00Z", "2", 3600, "0.90"),
            bucket(gpu, "2026-03-02T11:00:00Z", "1.5", 1800, "0.90"));

    List<ChargeLine> charges =
        charges(BillingMode.HYBRID, USD, MARCH, APRIL, List.of(studio), usage);
    assertEquals(
        List.of("PLAN_FEE Studio, 2026-03-01 – 2026-04-01 20.00", "OVERAGE gpu overage 0.90"),
        lines(charges));
    assertEquals("1", charges.get(1).quantity().toPlainString());
    assertEquals(
        List.of("PLAN_FEE Professional, 2026-03-01 – 2026-04-01 29.99"),
        lines(
            charges(
                BillingMode.HYBRID, USD, MARCH, APRIL, List.of(pro("29.99", MARCH, null)), usage)));
  }

  /**
   * A plan changed inside a second (at 10:30:00.500, as a clock's instant is stored) counts each
   * plan for its exact part of the hour: Pro's 8 cores for 1,800.5 s and Enterprise's 32 for
   * 1,799.5 s include 14,404 + 57,584 = 71,988 core-seconds; 40 cores for the hour are 144,000:
   * 72,012 over = 20.003333 core-hours × 0.05 = 1.00. Whole seconds would have lost the half
   * second on both sides (71,968 included, 20.008889 core-hours).
   */
  @Test
  void aPlanChangedInsideASecondCountsEachPlanForItsExactPart() {
    Instant change = Instant.parse("2026-03-02T10:30:00.500Z");
    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", MARCH, change), enterprise("99.99", change, null)),
            List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "40", 3600, "0.05")));

    ChargeLine overage = charges.get(charges.size() - 1);
    assertEquals("20.003333", overage.quantity().toPlainString());
    assertEquals("1.00", overage.amount().toPlainString());
  }

  @Test
  void hybridWithAnUnlimitedResourceHasNoOverageOnIt() {
    PlanTerm unlimited =
        new PlanTerm("max", "Max", new BigDecimal("10"), "month", null, null, null, MARCH, null);

    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(unlimited),
            List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "500", 3600, "0.05")));

    assertEquals(List.of("PLAN_FEE Max, 2026-03-01 – 2026-04-01 10.00"), lines(charges));
  }

  /**
   * Pro 29.99 to Enterprise 99.99 on March 15 at 00:00, in a 31-day period: 14 days of Pro,
   * 29.99 × 14 / 31 = 13.5438… → 13.54, and 17 days of Enterprise, 99.99 × 17 / 31 = 54.8332…
   * → 54.83. Two lines, each rounded once.
   */
  @Test
  void aMidCycleChangeIsTwoProratedLines() {
    List<ChargeLine> charges =
        charges(
            BillingMode.SUBSCRIPTION,
            USD,
            MARCH,
            APRIL,
            List.of(enterprise("99.99", MARCH_15, null), pro("29.99", MARCH, MARCH_15)),
            List.of());

    assertEquals(
        List.of(
            "PLAN_FEE Professional, 2026-03-01 – 2026-03-15 13.54",
            "PLAN_FEE Enterprise, 2026-03-15 – 2026-04-01 54.83"),
        lines(charges));
    assertEquals(MARCH_15, charges.get(0).to());
    assertEquals(MARCH_15, charges.get(1).from());
  }

  /** A change to the second: 10 days, 6 hours and 1 second of Pro is 885,601 s of 2,678,400. */
  @Test
  void prorationIsToTheSecond() {
    Instant change = Instant.parse("2026-03-11T06:00:01Z");

    List<ChargeLine> charges =
        charges(
            BillingMode.SUBSCRIPTION,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", MARCH, change), enterprise("99.99", change, null)),
            List.of());

    // 29.99 × 885,601 / 2,678,400 = 9.9160… → 9.92; 99.99 × 1,792,799 / 2,678,400 = 66.9287…
    // → 66.93
    assertEquals(
        List.of(
            "PLAN_FEE Professional, 2026-03-01 – 2026-03-11 9.92",
            "PLAN_FEE Enterprise, 2026-03-11 – 2026-04-01 66.93"),
        lines(charges));
  }

  /**
   * Hybrid with the same change: each bucket is measured against the plan covering its start.
   * March 14 10:00, 10 cores on Pro (8): 2 core-hours over. March 15 00:00 (the change instant),
   * 10 cores on Enterprise (32): none. March 16 11:00, 40 cores on Enterprise: 8 over. 10
   * core-hours × 0.05 = 0.50.
   */
  @Test
  void hybridOverageFollowsThePlanCoveringEachBucketAcrossAChange() {
    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", MARCH, MARCH_15), enterprise("99.99", MARCH_15, null)),
            List.of(
                bucket(UsageUnit.CPU, "2026-03-14T10:00:00Z", "10", 3600, "0.05"),
                bucket(UsageUnit.CPU, "2026-03-15T00:00:00Z", "10", 3600, "0.05"),
                bucket(UsageUnit.CPU, "2026-03-16T11:00:00Z", "40", 3600, "0.05")));

    assertEquals(
        List.of(
            "PLAN_FEE Professional, 2026-03-01 – 2026-03-15 13.54",
            "PLAN_FEE Enterprise, 2026-03-15 – 2026-04-01 54.83",
            "OVERAGE cpu overage 0.50"),
        lines(charges));
    assertEquals("10", charges.get(2).quantity().toPlainString());
  }

  /**
   * One hour rated at two prices (the rates changed between two runs): 6 cores at 0.06 and 4
   * at 0.05 on Pro (8). The allowance covers the dearer usage first: overage 2 core-hours at
   * 0.05 = 0.10.
   */
  @Test
  void theAllowanceCoversTheDearestUsageFirst() {
    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", MARCH, null)),
            List.of(
                bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "6", 3600, "0.06"),
                bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "4", 3600, "0.05")));

    assertEquals(List.of("OVERAGE cpu overage 0.10"), lines(charges).subList(1, 2));
    assertEquals(2, charges.size());
  }

  /**
   * VND has no minor unit. Pro at 750,000 VND, Enterprise at 2,500,000 from March 15:
   * 750,000 × 14 / 31 = 338,709.67… → 338,710 and 2,500,000 × 17 / 31 = 1,370,967.74… →
   * 1,370,968. 10 cores for an hour on Pro: 2 core-hours × 1,250 = 2,500.
   */
  @Test
  void vndAmountsAreWholeDong() {
    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            VND,
            MARCH,
            APRIL,
            List.of(pro("750000", MARCH, MARCH_15), enterprise("2500000", MARCH_15, null)),
            List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "10", 3600, "1250")));

    assertEquals(
        List.of(
            "PLAN_FEE Professional, 2026-03-01 – 2026-03-15 338710",
            "PLAN_FEE Enterprise, 2026-03-15 – 2026-04-01 1370968",
            "OVERAGE cpu overage 2500"),
        lines(charges));
  }

  /**
   * A yearly plan costs a twelfth of its price per billing period, prorated to the second
   * against that period: twelve whole periods cost exactly the price, leap year or not. 1,200
   * a year: every month of 2024 (a leap year) is 100.00, 1,200.00 in all (prorated over the
   * year starting at each period, it was 1,202.76). 120 a year: March 2026 and February 2028
   * are 10.00 each; the first 14 days of February 2028 (29 days) are 120 / 12 × 14 / 29 =
   * 4.8275… → 4.83.
   */
  @Test
  void aYearlyPlanCostsATwelfthOfItsPricePerBillingPeriod() {
    Instant jan2024 = Instant.parse("2024-01-01T00:00:00Z");
    PlanTerm big =
        new PlanTerm(
            "annual", "Annual", new BigDecimal("1200.00"), "year", null, null, null, jan2024, null);
    BigDecimal year2024 = BigDecimal.ZERO;
    for (int month = 0; month < 12; month++) {
      Instant start = jan2024.atZone(ZoneOffset.UTC).plusMonths(month).toInstant();
      Instant end = jan2024.atZone(ZoneOffset.UTC).plusMonths(month + 1).toInstant();
      BigDecimal fee =
          charges(BillingMode.SUBSCRIPTION, USD, start, end, List.of(big), List.of())
              .get(0)
              .amount();
      assertEquals("100.00", fee.toPlainString(), "month " + (month + 1));
      year2024 = year2024.add(fee);
    }
    assertEquals("1200.00", year2024.toPlainString());

    PlanTerm yearly =
        new PlanTerm(
            "annual",
            "Annual",
            new BigDecimal("120.00"),
            "year",
            null,
            null,
            null,
            Instant.parse("2026-01-01T00:00:00Z"),
            null);
    Instant feb2028 = Instant.parse("2028-02-01T00:00:00Z");
    assertEquals(
        "10.00",
        charges(BillingMode.SUBSCRIPTION, USD, MARCH, APRIL, List.of(yearly), List.of())
            .get(0)
            .amount()
            .toPlainString());
    assertEquals(
        "10.00",
        charges(
                BillingMode.SUBSCRIPTION,
                USD,
                feb2028,
                Instant.parse("2028-03-01T00:00:00Z"),
                List.of(yearly),
                List.of())
            .get(0)
            .amount()
            .toPlainString());
    assertEquals(
        "4.83",
        charges(
                BillingMode.SUBSCRIPTION,
                USD,
                feb2028,
                Instant.parse("2028-02-15T00:00:00Z"),
                List.of(yearly),
                List.of())
            .get(0)
            .amount()
            .toPlainString());
  }

  /**
   * An admin's invoice for any range: a monthly plan is prorated against the billing periods
   * the range overlaps, not over the range itself (which made any range cost a whole month).
   * 30.00 a month: 10–13 March is 3 of March's 31 days, 30 × 259,200 / 2,678,400 = 2.9032… →
   * 2.90 (was 30.00); January and February, two whole periods, 60.00 (was 30.00); 20 January to
   * 10 February is 12 of January's 31 days and 9 of February's 28: 30 × 12 / 31 + 30 × 9 / 28 =
   * 11.6129… + 9.6428… = 21.2557… → 21.26, one line rounded once (was 30.00).
   */
  @Test
  void aMonthlyPlanIsProratedAgainstTheBillingPeriodsTheRangeOverlaps() {
    PlanTerm thirty =
        new PlanTerm(
            "std",
            "Standard",
            new BigDecimal("30.00"),
            "month",
            null,
            null,
            null,
            Instant.parse("2025-12-01T00:00:00Z"),
            null);

    assertEquals(
        List.of("PLAN_FEE Standard, 2026-03-10 – 2026-03-13 2.90"),
        lines(
            charges(
                BillingMode.SUBSCRIPTION,
                USD,
                Instant.parse("2026-03-10T00:00:00Z"),
                Instant.parse("2026-03-13T00:00:00Z"),
                List.of(thirty),
                List.of())));
    assertEquals(
        List.of("PLAN_FEE Standard, 2026-01-01 – 2026-03-01 60.00"),
        lines(
            charges(
                BillingMode.SUBSCRIPTION,
                USD,
                Instant.parse("2026-01-01T00:00:00Z"),
                MARCH,
                List.of(thirty),
                List.of())));
    assertEquals(
        List.of("PLAN_FEE Standard, 2026-01-20 – 2026-02-10 21.26"),
        lines(
            charges(
                BillingMode.SUBSCRIPTION,
                USD,
                Instant.parse("2026-01-20T00:00:00Z"),
                Instant.parse("2026-02-10T00:00:00Z"),
                List.of(thirty),
                List.of())));
  }

  /** Descriptions read dates in the billing zone: the period starts at midnight there. */
  @Test
  void planFeeDatesAreInTheBillingZone() {
    ZoneId saigon = ZoneId.of("Asia/Ho_Chi_Minh");
    Instant start = Instant.parse("2026-02-28T17:00:00Z"); // 2026-03-01 00:00 +07
    Instant end = Instant.parse("2026-03-31T17:00:00Z");

    List<ChargeLine> charges =
        PeriodCharges.compute(
            BillingMode.SUBSCRIPTION,
            USD,
            start,
            end,
            List.of(pro("29.99", start, null)),
            List.of(),
            new BillingPeriods(1, saigon));

    assertEquals(List.of("PLAN_FEE Professional, 2026-03-01 – 2026-04-01 29.99"), lines(charges));
  }

  @Test
  void aTermOutsideThePeriodIsNotCharged() {
    List<ChargeLine> charges =
        charges(
            BillingMode.SUBSCRIPTION,
            USD,
            MARCH,
            APRIL,
            List.of(
                pro("29.99", Instant.parse("2026-01-01T00:00:00Z"), MARCH),
                enterprise("99.99", MARCH, null)),
            List.of());

    assertEquals(List.of("PLAN_FEE Enterprise, 2026-03-01 – 2026-04-01 99.99"), lines(charges));
  }

  /**
   * Usage in an hour no term covers has no allowance (nothing was included): 10 cores for the
   * hour of March 2 10:00, before Pro starts on March 15, is 10 core-hours × 0.05 = 0.50 of
   * overage, and the invoice is still computed (it used to throw and block the account).
   */
  @Test
  void usageOutsideEveryTermHasNoAllowanceInHybridMode() {
    List<PlanTerm> terms = List.of(pro("29.99", MARCH_15, null));
    List<UsageBucket> early =
        List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "10", 3600, "0.05"));

    assertEquals(
        List.of("OVERAGE cpu overage 0.50"),
        lines(charges(BillingMode.HYBRID, USD, MARCH, APRIL, terms, early)).subList(1, 2));
    assertEquals(
        ChargeKind.PLAN_FEE,
        charges(BillingMode.SUBSCRIPTION, USD, MARCH, APRIL, terms, early).get(0).kind());
  }

  /**
   * The account was created at 10:17, so its first term starts inside the 10:00 bucket. Pro
   * (8 cores) covers 10:17–11:00 = 2,580 s: allowance 8 × 2,580 = 20,640 core-seconds. Used:
   * 10 cores × 2,580 s = 25,800. Overage 5,160 core-seconds = 1.4333… core-hours × 0.05 =
   * 0.0716… → 0.07. (Before: "no plan term covers 10:00", thrown on every finalization.)
   */
  @Test
  void hybridBucketStartingBeforeTheFirstTermGetsTheAllowanceOfTheCoveredPart() {
    Instant created = Instant.parse("2026-03-02T10:17:00Z");

    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(pro("29.99", created, null)),
            List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "10", 2580, "0.05")));

    assertEquals("OVERAGE cpu overage 0.07", lines(charges).get(1));
  }

  /**
   * Upgrade from 2 to 8 cores at 10:30, then 8 cores used 10:30–11:00 = 14,400 core-seconds.
   * Allowance 2 × 1,800 + 8 × 1,800 = 18,000: no overage. (The old limit for the whole hour,
   * 2 × 3,600 = 7,200, charged 7,200 core-seconds = 2 core-hours × 0.05 = 0.10.)
   */
  @Test
  void hybridAllowanceOfABucketSumsEveryTermOverlappingIt() {
    Instant upgrade = Instant.parse("2026-03-02T10:30:00Z");
    PlanTerm basic =
        new PlanTerm(
            "basic",
            "Basic",
            new BigDecimal("9.99"),
            "month",
            new BigDecimal("2"),
            new BigDecimal("4"),
            new BigDecimal("10"),
            MARCH,
            upgrade);

    List<ChargeLine> charges =
        charges(
            BillingMode.HYBRID,
            USD,
            MARCH,
            APRIL,
            List.of(basic, pro("29.99", upgrade, null)),
            List.of(bucket(UsageUnit.CPU, "2026-03-02T10:00:00Z", "8", 1800, "0.05")));

    assertEquals(
        List.of(ChargeKind.PLAN_FEE, ChargeKind.PLAN_FEE),
        charges.stream().map(ChargeLine::kind).toList());
  }

  /** The charges with plan-fee dates written in UTC, as most figures here are. */
  private static List<ChargeLine> charges(
      BillingMode mode,
      Currency currency,
      Instant start,
      Instant end,
      List<PlanTerm> terms,
      List<UsageBucket> usage) {
    return PeriodCharges.compute(mode, currency, start, end, terms, usage, UTC_PERIODS);
  }
}
