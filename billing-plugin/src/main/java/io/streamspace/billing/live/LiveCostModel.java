package io.streamspace.billing.live;

import io.streamspace.billing.invoicing.ChargeLine;
import io.streamspace.billing.invoicing.PeriodSoFar;
import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.live.LiveCost.Runway;
import io.streamspace.billing.live.LiveCost.SessionCost;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.HeldSteps;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The rule of live cost: an organization's cost of its current billing period at an instant
 * {@code now}, from what was stored a moment before ({@link LiveBasis}). Pure.
 *
 * <ul>
 *   <li><b>Unrated usage.</b> Each session not settled yet adds its time from its watermark
 *       (else its start) to where rating will bill it up to at {@code now} ({@link
 *       UnratedSession#billedUntil}: its end, its last heartbeat once it timed out, else {@code
 *       now}), inside the period; the organization's storage adds its levels' time from its own
 *       watermark to {@code now}. Each resource held × its exact length, cut at the UTC hours
 *       (as rating slices it), at the unit prices the next rating run gives it ({@link
 *       io.streamspace.billing.rating.UnitPrices#of}): exactly the records rating
 *       will store. A session suspended for a spent prepaid balance holds nothing but the
 *       organization's storage while it is (its steps come paused: {@link
 *       HeldSteps#pausedDuring}), as rating bills it.
 *   <li><b>Total.</b> The period's invoice lines priced by the invoice's own code ({@link
 *       PeriodSoFar#lines}) over its rated usage plus that unrated usage, each line rounded once
 *       ({@link Money#lineTotal}), added up: plan fees, usage or overage by the billing mode,
 *       counters (as reported), seats, packs, store items. Once the unrated usage is rated, the
 *       invoice computes these very lines: the total and the invoice agree to the cent.
 *   <li><b>Rate per hour.</b> What one more hour at what is held now (the running sessions'
 *       resources, each at its price times the factor of the activity state the session is in
 *       now, and the storage level) adds to the charged usage ({@link
 *       PeriodSoFar#chargedHour}: all of it in {@code usage} mode, what exceeds the plan in
 *       {@code hybrid} mode, nothing in {@code subscription} mode), exact, shown rounded once
 *       ({@link HourlyRate}).
 *   <li><b>Each running session</b>: its rated usage in the period plus its unrated usage, at
 *       their unit prices, one rounding per resource and price as usage lines have ({@link
 *       PeriodSoFar#atTheRates}), since its start or the period's; its rate, what an hour of
 *       what it holds now costs at the unit prices. In {@code usage} mode this is what it adds
 *       to the invoice; in the other modes the invoice charges the organization only what
 *       exceeds its plan, or nothing per use, so there a session's figures are its usage at the
 *       rates and the total is what is charged.
 *   <li><b>Balance</b>: the prepaid balance in the ledger less what the invoice will take of it
 *       that it has not taken yet: what the organization's usable credits leave of the total,
 *       less what this period's burns not settled took (calculate-usage burns what the invoice
 *       would take for what it rates, credits first; the rest, its unrated usage and its fees,
 *       the invoice settles): what is left of it as the sessions burn it, by the second. The
 *       ledger's balance, not what is available: reservations hold the very accrued cost
 *       taken off here, and the next minutes, which are not spent yet. While the period before
 *       is not invoiced, its cost (rated and unrated, as its invoice would charge it) less what
 *       its burns took is taken off too: its invoice will take it, so the balance does not come
 *       back at midnight only to be taken again when that invoice settles.
 *   <li><b>Runway</b>, per limit on the spending, the seconds until it is reached at the rates
 *       now, rounded down (0 once reached): that balance, and what the credits have beyond the
 *       total (spent before the balance), at the organization's rate; the
 *       spending limit, less the total, at the organization's rate (with the limit's action); a
 *       member's budget left at the rate of that member's running sessions. A limit never reached
 *       at those rates (a zero rate, or over a hundred years) has none.
 * </ul>
 */
final class LiveCostModel {

  private static final Duration HOUR = Duration.ofHours(1);

  private LiveCostModel() {}

  /** The organization's live cost at {@code now}, which {@code basis} covers. */
  static LiveCost at(LiveBasis basis, Instant now) {
    PeriodSoFar period = basis.period();
    Currency currency = period.currency();
    Duration timeout = basis.heartbeatTimeout();
    List<UsageBucket> unrated = new ArrayList<>();
    List<UsageBucket> unratedBefore = new ArrayList<>(); // in the period before, not invoiced
    List<UsageBucket> hourNow = new ArrayList<>(); // what is held now, an hour of it

    Map<String, HourlyRate> memberRates = new HashMap<>();
    List<SessionCost> sessions = new ArrayList<>();
    for (UnratedSession session : basis.sessions()) {
      Instant until = session.billedUntil(now, timeout, basis.closedAt());
      List<UsageBucket> tail = in(basis.period(), session.held(), session.from(), until, basis);
      unrated.addAll(tail);
      unratedBefore.addAll(in(basis.before(), session.held(), session.from(), until, basis));
      if (!session.runsAt(now, timeout, basis.closedAt())) {
        continue;
      }
      List<UsageBucket> itsHour = anHourOf(session.held(), basis.prices(), now);
      hourNow.addAll(itsHour);
      HourlyRate rate = HourlyRate.of(itsHour);
      memberRates.merge(session.userId(), rate, HourlyRate::plus);
      List<UsageBucket> own =
          new ArrayList<>(basis.ratedBySession().getOrDefault(session.sessionId(), List.of()));
      own.addAll(tail);
      sessions.add(
          new SessionCost(
              session.sessionId(),
              session.userId(),
              PeriodSoFar.atTheRates(own, currency),
              rate.shown(currency),
              latest(session.startedAt(), period.start())));
    }
    if (basis.storageFrom() != null) {
      Instant until =
          basis.closedAt() != null && basis.closedAt().isBefore(now) ? basis.closedAt() : now;
      unrated.addAll(in(basis.period(), basis.storage(), basis.storageFrom(), until, basis));
      unratedBefore.addAll(in(basis.before(), basis.storage(), basis.storageFrom(), until, basis));
      if (until.equals(now)) {
        hourNow.addAll(anHourOf(basis.storage(), basis.prices(), now));
      }
    }
    BigDecimal total =
        period.lines(unrated).stream()
            .map(ChargeLine::amount)
            .reduce(Money.zero(currency), BigDecimal::add);
    HourlyRate rate = HourlyRate.of(period.chargedHour(hourNow));
    sessions.sort(Comparator.comparing(SessionCost::sessionId));
    BigDecimal balance = null;
    BigDecimal spendable = null; // the balance and the credits its invoices use first
    if (basis.balance() != null) {
      BigDecimal owed = total; // what the invoices will charge: this period's, the one before's
      BigDecimal burned = basis.balance().burned();
      if (basis.before() != null) { // not invoiced yet: its invoice takes what its burns did not
        owed =
            owed.add(
                basis.before().lines(unratedBefore).stream()
                    .map(ChargeLine::amount)
                    .reduce(Money.zero(currency), BigDecimal::add));
        burned = burned.add(basis.balance().burnedBefore());
      }
      BigDecimal fromBalance = owed.subtract(basis.credits()).max(BigDecimal.ZERO);
      balance = basis.balance().balance().add(burned).subtract(fromBalance);
      spendable = balance.add(basis.credits().subtract(owed).max(BigDecimal.ZERO));
    }
    return new LiveCost(
        basis.orgId(),
        currency,
        now,
        period.start(),
        period.end(),
        total,
        rate.shown(currency),
        balance == null ? null : Money.lineTotal(balance, BigDecimal.ONE, currency),
        runways(basis, now, total, spendable, rate, memberRates),
        sessions);
  }

  /**
   * The usage of {@code steps} in {@code [from, until)} within {@code period}, unrated; none
   * without a period.
   */
  private static List<UsageBucket> in(
      PeriodSoFar period, HeldSteps steps, Instant from, Instant until, LiveBasis basis) {
    if (period == null) {
      return List.of();
    }
    Instant to = until.isBefore(period.end()) ? until : period.end();
    Instant since = latest(from, period.start());
    if (!since.isBefore(to)) {
      return List.of();
    }
    return steps.usage(since, to, basis.prices()).stream()
        .map(
            p ->
                new UsageBucket(
                    p.unit(),
                    p.from(),
                    p.to(),
                    p.unitSeconds(),
                    p.unitPrice(),
                    p.activity(),
                    p.savedUnitSeconds()))
        .toList();
  }

  /**
   * An hour of what {@code held} holds at {@code now}, each resource at its price times the
   * factor of the activity state it is in now (a session idle now runs at its idle price).
   */
  private static List<UsageBucket> anHourOf(
      HeldSteps held, Map<UsageUnit, BigDecimal> prices, Instant now) {
    List<UsageBucket> hour = new ArrayList<>();
    held.at(now)
        .forEach(
            (unit, amount) -> {
              BigDecimal price = prices.get(unit);
              if (price != null) {
                BigDecimal unitSeconds = amount.multiply(BigDecimal.valueOf(HOUR.toSeconds()));
                hour.add(
                    new UsageBucket(
                        unit, now, now.plus(HOUR), unitSeconds, held.priceAt(unit, price, now)));
              }
            });
    return hour;
  }

  private static List<Runway> runways(
      LiveBasis basis,
      Instant now,
      BigDecimal total,
      BigDecimal balance,
      HourlyRate rate,
      Map<String, HourlyRate> memberRates) {
    List<Runway> runways = new ArrayList<>();
    if (balance != null) {
      add(runways, LiveCost.BALANCE, rate.secondsToSpend(balance), now, null, null);
    }
    if (basis.limit() != null) {
      add(
          runways,
          LiveCost.SPENDING_LIMIT,
          rate.secondsToSpend(basis.limit().amount().subtract(total)),
          now,
          basis.limit().action().jsonName(),
          null);
    }
    for (MemberBudgets.Left budget : basis.budgets()) {
      HourlyRate memberRate = memberRates.getOrDefault(budget.memberId(), HourlyRate.ZERO);
      add(
          runways,
          LiveCost.MEMBER_BUDGET,
          memberRate.secondsToSpend(budget.left()),
          now,
          null,
          budget.memberId());
    }
    return runways;
  }

  private static void add(
      List<Runway> runways,
      String what,
      OptionalLong seconds,
      Instant now,
      String action,
      String memberId) {
    if (seconds.isPresent()) {
      long s = seconds.getAsLong();
      runways.add(new Runway(what, s, now.plusSeconds(s), action, memberId));
    }
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
