package io.streamspace.billing.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamspace.billing.config.ActivityRates;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.invoicing.PeriodSoFar;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.live.LiveCost.Runway;
import io.streamspace.billing.live.LiveCost.SessionCost;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.HeldSteps;
import io.streamspace.billing.rating.HeldSteps.Step;
import io.streamspace.billing.rating.UnitPrices;
import io.streamspace.billing.spend.SpendAction;
import io.streamspace.billing.spend.SpendingLimit;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rule of live cost on hand-worked figures, at the default rates: 0.05 a core-hour, 0.01 a
 * GB-hour, 0.10 a GB-month. A session of 2 cores and 4 GB started at 12:00 and rated up to 13:00
 * is 90 minutes in at 13:30: its rated hour (7,200 core-seconds, 14,400 GB-seconds) plus its
 * unrated half hour (3,600 and 7,200) make 10,800 core-seconds × 0.05 ÷ 3,600 = 0.15 and 21,600
 * GB-seconds × 0.01 ÷ 3,600 = 0.06: 0.21 so far, 0.10 + 0.04 = 0.14 an hour.
 */
class LiveCostModelTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Instant NOON = Instant.parse("2026-03-10T12:00:00Z");
  private static final Instant ONE = Instant.parse("2026-03-10T13:00:00Z");
  private static final Instant HALF_PAST_ONE = Instant.parse("2026-03-10T13:30:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private static BillingConfig config(String json) {
    return new BillingConfigParser(CronValidator.fiveFields()).parse(json).config();
  }

  private static final BillingConfig USAGE_MODE = config("{}");

  /** A session of {@code cores} and {@code gb} from noon, run by mia, rated up to {@code from}. */
  private static UnratedSession session(
      String id, String cores, String gb, Instant from, Instant lastHeartbeat) {
    return new UnratedSession(
        id,
        "mia",
        NOON,
        from,
        null,
        lastHeartbeat,
        new HeldSteps(
            Map.of(
                UsageUnit.CPU, List.of(new Step(NOON, new BigDecimal(cores))),
                UsageUnit.MEMORY, List.of(new Step(NOON, new BigDecimal(gb))))));
  }

  /** {@code unitSeconds} of a resource rated at {@code price} this period. */
  private static UsageBucket rated(UsageUnit unit, String unitSeconds, String price) {
    return new UsageBucket(
        unit,
        Instant.parse("2026-03-01T00:00:00Z"),
        Instant.parse("2026-04-01T00:00:00Z"),
        new BigDecimal(unitSeconds),
        new BigDecimal(price));
  }

  /** The hour 12:00 to 13:00 of a 2-core, 4 GB session, as rating stored it. */
  private static final List<UsageBucket> RATED_HOUR =
      List.of(rated(UsageUnit.CPU, "7200", "0.05"), rated(UsageUnit.MEMORY, "14400", "0.01"));

  private static LiveBasis basis(
      BillingConfig config,
      List<UsageBucket> ratedUsage,
      List<PlanTerm> terms,
      List<UnratedSession> sessions,
      Map<String, List<UsageBucket>> ratedBySession,
      SpendingLimit limit,
      BigDecimal balance,
      List<MemberBudgets.Left> budgets) {
    return new LiveBasis(
        "acme",
        HALF_PAST_ONE,
        PeriodSoFar.of("acme", USD, config, HALF_PAST_ONE, ratedUsage, terms),
        null,
        BigDecimal.ZERO,
        UnitPrices.of(config, USD).orElseThrow(),
        sessions,
        HeldSteps.NONE,
        null,
        ratedBySession,
        null,
        TIMEOUT,
        limit,
        balance == null ? null : new BalanceSource.Held(balance, BigDecimal.ZERO, BigDecimal.ZERO),
        budgets);
  }

  private static LiveBasis ninetyMinutesIn(
      SpendingLimit limit, BigDecimal balance, List<MemberBudgets.Left> budgets) {
    return basis(
        USAGE_MODE,
        RATED_HOUR,
        List.of(),
        List.of(session("s1", "2", "4", ONE, Instant.parse("2026-03-10T13:29:00Z"))),
        Map.of("s1", RATED_HOUR),
        limit,
        balance,
        budgets);
  }

  @Test
  void ninetyMinutesOfTwoCoresAndFourGbCost021_ofWhichTheRatedHour014_atARateOf014AnHour() {
    LiveCost live = LiveCostModel.at(ninetyMinutesIn(null, null, List.of()), HALF_PAST_ONE);

    assertEquals(new BigDecimal("0.21"), live.total());
    assertEquals(new BigDecimal("0.14"), live.ratePerHour());
    assertEquals(
        List.of(new SessionCost("s1", "mia", new BigDecimal("0.21"), new BigDecimal("0.14"), NOON)),
        live.sessions());
    assertNull(live.balance());
    assertNull(live.runway(), "no limit: no runway");
    assertEquals(
        new BigDecimal("0.14"),
        LiveCostModel.at(ninetyMinutesIn(null, null, List.of()), ONE).total(),
        "at 13:00, what was rated alone");
  }

  /**
   * Half a core for two hours, the first rated: each hour alone is 1,800 core-seconds × 0.05 ÷
   * 3,600 = 0.025, which would round to 0.03 twice; the invoice has one line for the resource
   * and rounds its sum once, 0.05, and so does the ticker.
   */
  @Test
  void theRatedPartAndTheTailAreOneLineRoundedOnceAsTheInvoiceRoundsIt() {
    LiveBasis halfACore =
        basis(
            USAGE_MODE,
            List.of(rated(UsageUnit.CPU, "1800", "0.05")),
            List.of(),
            List.of(session("s1", "0.5", "0", ONE, Instant.parse("2026-03-10T13:59:00Z"))),
            Map.of("s1", List.of(rated(UsageUnit.CPU, "1800", "0.05"))),
            null,
            null,
            List.of());

    LiveCost live = LiveCostModel.at(halfACore, Instant.parse("2026-03-10T14:00:00Z"));

    assertEquals(new BigDecimal("0.05"), live.total());
    assertEquals(new BigDecimal("0.05"), live.sessions().get(0).costSoFar());
    assertEquals(new BigDecimal("0.03"), live.ratePerHour(), "0.025 an hour, shown rounded");
  }

  /**
   * Idle from 13:00 with idle cpu at half its price: an hour now is 2 cores × 0.025 + 4 GB ×
   * 0.01 = 0.09, the session's rate and the organization's (not 0.14 at the full price), and
   * mia's budget of 0.50 lasts 0.50 × 3,600 ÷ 0.09 = 20,000 seconds at it.
   */
  @Test
  void aSessionIdleNowRunsAtItsIdlePriceSoItsRateAndItsMembersRunwayUseTheFactor() {
    UnratedSession idle =
        new UnratedSession(
            "s1",
            "mia",
            NOON,
            ONE,
            null,
            Instant.parse("2026-03-10T13:29:00Z"),
            session("s1", "2", "4", ONE, null)
                .held()
                .pricedBy(
                    new HeldSteps.Activity(
                        List.of(new HeldSteps.ActivityStep(ONE, "idle")),
                        new ActivityRates(Map.of("idle", Map.of("cpu", new BigDecimal("0.5")))))));
    LiveBasis basis =
        basis(
            USAGE_MODE,
            RATED_HOUR,
            List.of(),
            List.of(idle),
            Map.of("s1", RATED_HOUR),
            null,
            null,
            List.of(new MemberBudgets.Left("mia", new BigDecimal("0.50"))));

    LiveCost live = LiveCostModel.at(basis, HALF_PAST_ONE);

    assertEquals(new BigDecimal("0.09"), live.ratePerHour());
    assertEquals(new BigDecimal("0.09"), live.sessions().get(0).ratePerHour());
    assertEquals(20000, live.runwayOf("mia").seconds());
  }

  /**
   * A spending limit of 1.00 has 0.79 left at 0.14 an hour: 0.79 × 3,600 ÷ 0.14 = 20,314.28
   * seconds, rounded down; mia's budget of 0.50 left lasts 12,857 seconds at her session's 0.14;
   * a prepaid balance of 0.28 in the ledger, which has not paid the period's 0.21 yet, has 0.07
   * left: half an hour, the earliest.
   */
  @Test
  void theRunwayIsTheEarliestOfTheBalanceTheSpendingLimitAndAMembersBudget() {
    SpendingLimit limit =
        new SpendingLimit("acme", new BigDecimal("1.00"), 80, SpendAction.BLOCK, "olivia", NOON);
    List<MemberBudgets.Left> budgets =
        List.of(new MemberBudgets.Left("mia", new BigDecimal("0.50")));

    LiveCost live =
        LiveCostModel.at(ninetyMinutesIn(limit, new BigDecimal("0.28"), budgets), HALF_PAST_ONE);

    assertEquals(
        List.of(
            new Runway(LiveCost.BALANCE, 1800, HALF_PAST_ONE.plusSeconds(1800), null, null),
            new Runway(
                LiveCost.MEMBER_BUDGET, 12857, HALF_PAST_ONE.plusSeconds(12857), null, "mia"),
            new Runway(
                LiveCost.SPENDING_LIMIT, 20314, HALF_PAST_ONE.plusSeconds(20314), "block", null)),
        live.runways());
    assertEquals(LiveCost.BALANCE, live.runway().what());
    assertEquals(12857, live.runwayOf("mia").seconds(), "the member's own");
    assertEquals(new BigDecimal("0.07"), live.balance());
    assertEquals(
        0,
        LiveCostModel.at(
                ninetyMinutesIn(
                    new SpendingLimit(
                        "acme", new BigDecimal("0.20"), 80, SpendAction.WARN, "olivia", NOON),
                    null,
                    List.of()),
                HALF_PAST_ONE)
            .runway()
            .seconds(),
        "a limit the total passed already is reached now");
  }

  /**
   * A session whose heartbeats stopped at 12:40, more than the 10-minute timeout before 13:30,
   * is billed up to 12:40, as rating will close it there, and is no longer running.
   */
  @Test
  void aSessionWhoseHeartbeatsStoppedIsBilledToItsLastHeartbeatAndNoLongerRuns() {
    Instant lastHeartbeat = Instant.parse("2026-03-10T12:40:00Z");
    LiveBasis stopped =
        basis(
            USAGE_MODE,
            List.of(),
            List.of(),
            List.of(session("s1", "2", "4", NOON, lastHeartbeat)),
            Map.of(),
            null,
            null,
            List.of());

    LiveCost live = LiveCostModel.at(stopped, HALF_PAST_ONE);

    // 40 minutes: 2 × 2,400 × 0.05 ÷ 3,600 = 0.0667, 4 × 2,400 × 0.01 ÷ 3,600 = 0.0267
    assertEquals(new BigDecimal("0.10"), live.total());
    assertEquals(List.of(), live.sessions());
    assertEquals(new BigDecimal("0.00"), live.ratePerHour());
  }

  /**
   * In hybrid mode overage is measured per clock hour against the whole hour's allowance: with
   * 1 core included, the rated 12:00 hour is 3,600 core-seconds over (0.05), but the half hour
   * since 13:00 is within its hour's allowance so far (3,600 core-seconds), so the ticker, as
   * the invoice would, charges nothing for it yet; it burns 1 core × 0.05 an hour past the plan.
   */
  @Test
  void inHybridModeTheTickerChargesTheOverageAsTheInvoiceMeasuresItPerHour() {
    BillingConfig hybrid = config("{\"billingMode\": \"hybrid\"}");
    PlanTerm oneCore =
        new PlanTerm(
            "small",
            "Small",
            BigDecimal.ZERO,
            "month",
            BigDecimal.ONE,
            new BigDecimal("8"),
            null,
            Instant.parse("2026-03-01T00:00:00Z"),
            null);
    List<UsageBucket> ratedHour =
        List.of(
            new UsageBucket(
                UsageUnit.CPU, NOON, ONE, new BigDecimal("7200"), new BigDecimal("0.05")),
            new UsageBucket(
                UsageUnit.MEMORY, NOON, ONE, new BigDecimal("14400"), new BigDecimal("0.01")));
    LiveBasis basis =
        basis(
            hybrid,
            ratedHour,
            List.of(oneCore),
            List.of(session("s1", "2", "4", ONE, Instant.parse("2026-03-10T13:29:00Z"))),
            Map.of("s1", RATED_HOUR),
            null,
            null,
            List.of());

    LiveCost live = LiveCostModel.at(basis, HALF_PAST_ONE);

    assertEquals(new BigDecimal("0.05"), live.total());
    assertEquals(new BigDecimal("0.05"), live.ratePerHour());
    assertEquals(
        new BigDecimal("0.21"),
        live.sessions().get(0).costSoFar(),
        "a session's own figures are its usage at the rates");
  }
}
