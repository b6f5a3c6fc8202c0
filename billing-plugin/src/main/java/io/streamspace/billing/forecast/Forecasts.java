package io.streamspace.billing.forecast;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.spend.SpendEstimate;
import io.streamspace.billing.spend.SpendingLimit;
import io.streamspace.billing.spend.SpendingLimits;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * An organization's forecast of its current billing period ({@link Forecast}), and the amounts
 * its paths cross before the period ends: its spending limit, its budget, each member's budget
 * (on that member's own path), and what {@link MoreLimits} adds.
 *
 * <p><b>The organization's path</b> starts from what the period's invoice would charge if it
 * were finalized now, before credits: the estimate {@code /spending-limit} and {@code
 * /costs/monthly} show ({@link SpendingLimits#status}), which already holds the whole period's
 * plan fee, seats, packs, store items, counters' overage and the usage rated so far. In {@code
 * usage} mode the running sessions' cost since they were last rated is added (rating trails them
 * by up to one {@code usageCalculationInterval}), and the days ahead are drawn from the cost of
 * its usage on its last days; in {@code hybrid} mode from each day's overage, priced hour by hour
 * as the invoice prices it; in {@code subscription} mode usage is not charged, so nothing is
 * added and the range closes on the estimate. Counters (usage reports) are not drawn ahead: what
 * they cost so far is in the estimate.
 *
 * <p><b>A member's path</b> is their own usage at the rates (their sessions' cost, in every
 * mode: plan fees, overage and storage are the organization's), this period's so far and their
 * sessions' cost since last rated, then drawn ahead from their own last days.
 *
 * <p><b>Running sessions</b> also say what they would add if none of them stopped before the
 * period ends (their cost an hour × the hours left): an upper view shown among the inputs, not
 * drawn into the range, as the history already holds the sessions the organization usually runs.
 * Draws are seeded by the organization's id (and the member's), so the same figures always give
 * the same answer.
 */
public final class Forecasts {

  /** An amount a path may cross, named as a forecast's {@code crosses} names it. */
  public record Limit(String what, BigDecimal amount) {}

  /**
   * What else an organization's path may cross: the hook the prepaid balance plugs into ({@code
   * prepaid_balance}, at what the ledger holds available when it is paid only as invoices are
   * finalized: the period's cost reaches it when the balance runs out).
   */
  @FunctionalInterface
  public interface MoreLimits {

    /** None: no other limit is watched. */
    MoreLimits NONE = (account, spent) -> List.of();

    /**
     * @param spent where the organization's path starts (the period's cost so far)
     * @return amounts on that path: the period's cost from its start
     */
    List<Limit> of(Account account, BigDecimal spent) throws SQLException;
  }

  /**
   * A member's budget with what is left of it this period: the budget less the member's own
   * spend so far, counted as their forecast path starts (what live cost's runway to a member's
   * budget needs).
   */
  public record MemberLeft(String memberId, BigDecimal budget, BigDecimal spent, BigDecimal left) {}

  /** When a path reaches an amount, before the period ends. */
  public record Crossing(String what, BigDecimal amount, Instant at) {}

  /**
   * The sessions running now.
   *
   * @param perHour what they cost an hour together, at the rates
   * @param toPeriodEnd what they would add if none stopped before the period ends
   */
  public record Running(int count, BigDecimal perHour, BigDecimal toPeriodEnd) {}

  /**
   * An organization's forecast.
   *
   * @param at when it was made
   * @param estimate the period's invoice so far, before credits
   * @param unrated the running sessions' cost since last rated, in the organization's path
   * @param forecast the organization's
   * @param historyDays the days its profile was drawn from
   * @param members each member's with a budget, by member id
   * @param crosses what its paths cross before the period ends, soonest first
   */
  public record OrgForecast(
      Account account,
      Instant at,
      Instant periodStart,
      Instant periodEnd,
      BillingMode mode,
      SpendEstimate estimate,
      BigDecimal unrated,
      Forecast forecast,
      List<LocalDate> historyDays,
      Running running,
      Map<String, Forecast> members,
      List<Crossing> crosses) {

    /** The forecast a budget watches: the organization's, or its member's. */
    public Forecast of(Budget budget) {
      return budget.organizations() ? forecast : members.get(budget.memberId());
    }
  }

  private final DataSource dataSource;
  private final SpendingLimits spendingLimits;
  private final Budgets budgets;
  private final MoreLimits moreLimits;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public Forecasts(
      DataSource dataSource,
      SpendingLimits spendingLimits,
      Budgets budgets,
      MoreLimits moreLimits,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.spendingLimits = spendingLimits;
    this.budgets = budgets;
    this.moreLimits = moreLimits;
    this.config = config;
    this.clock = clock;
  }

  /** The organization's forecast now, with its budgets as stored. */
  public OrgForecast of(Account account) throws SQLException {
    return of(account, budgets.of(account.orgId()));
  }

  /** The organization's forecast now, watching {@code budgets} (its own). */
  OrgForecast of(Account account, List<Budget> watched) throws SQLException {
    BillingConfig current = config.get();
    ZoneId zone = current.billingTimeZone();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), zone);
    Instant now = clock.instant();
    Instant periodStart = periods.periodStart(now);
    Instant periodEnd = periods.periodEnd(now);
    SpendingLimits.Status status = spendingLimits.status(account);
    String orgId = account.orgId();
    ForecastHistory.Days days;
    List<RunningSessions.Session> running;
    SortedMap<LocalDate, BigDecimal> history;
    try (Connection connection = dataSource.getConnection()) {
      days = ForecastHistory.read(connection, orgId, account.currency(), now, periodStart, zone);
      running =
          RunningSessions.read(connection, orgId, account.currency(), now, periodStart, current);
      history =
          switch (current.billingMode()) {
            case USAGE -> days.history();
            case HYBRID ->
                ForecastHistory.overage(connection, orgId, account.currency(), days.days(), zone);
            case SUBSCRIPTION -> new TreeMap<>();
          };
    }
    BigDecimal unrated =
        current.billingMode() == BillingMode.USAGE ? unrated(running, null, now) : BigDecimal.ZERO;
    BigDecimal spent = status.estimate().total().add(unrated);
    Forecast forecast = Forecast.of(spent, history, now, periodEnd, zone, seed(orgId));
    LocalDate firstDay = periodStart.atZone(zone).toLocalDate();
    Map<String, Forecast> members = new LinkedHashMap<>();
    for (Budget budget : watched) {
      if (!budget.organizations()) {
        BigDecimal memberSpent = spent(days.byMember(), firstDay, running, budget.memberId(), now);
        members.put(
            budget.memberId(),
            Forecast.of(
                memberSpent,
                days.history(budget.memberId()),
                now,
                periodEnd,
                zone,
                seed(orgId + "\u0000" + budget.memberId())));
      }
    }
    List<Limit> orgLimits = new ArrayList<>();
    SpendingLimit limit = status.limit();
    if (limit != null) {
      orgLimits.add(new Limit("spending_limit", limit.amount()));
    }
    orgLimits.addAll(moreLimits.of(account, spent));
    List<Crossing> crosses = new ArrayList<>();
    orgLimits.forEach(l -> crossing(forecast, l).ifPresent(crosses::add));
    for (Budget budget : watched) {
      Forecast path = budget.organizations() ? forecast : members.get(budget.memberId());
      crossing(path, new Limit(budget.what(), budget.amount())).ifPresent(crosses::add);
    }
    crosses.sort(Comparator.comparing(Crossing::at).thenComparing(Crossing::what));
    BigDecimal perHour =
        running.stream()
            .map(RunningSessions.Session::perHour)
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    return new OrgForecast(
        account,
        now,
        periodStart,
        periodEnd,
        current.billingMode(),
        status.estimate(),
        unrated,
        forecast,
        days.days(),
        new Running(
            running.size(),
            perHour,
            perHour.multiply(RunningSessions.hours(Duration.between(now, periodEnd)))),
        members,
        List.copyOf(crosses));
  }

  /**
   * Each member budget of the organization with what is left of it now (none read when it has
   * none): one read of this period's usage by member, and of the running sessions.
   */
  public List<MemberLeft> membersLeft(String orgId, Currency currency) throws SQLException {
    List<Budget> members = budgets.of(orgId).stream().filter(b -> !b.organizations()).toList();
    if (members.isEmpty()) {
      return List.of();
    }
    BillingConfig current = config.get();
    ZoneId zone = current.billingTimeZone();
    Instant now = clock.instant();
    Instant periodStart = new BillingPeriods(current.invoiceDay(), zone).periodStart(now);
    Map<String, SortedMap<LocalDate, BigDecimal>> byMember;
    List<RunningSessions.Session> running;
    try (Connection connection = dataSource.getConnection()) {
      byMember = ForecastHistory.byMember(connection, orgId, currency, periodStart, now, zone);
      running = RunningSessions.read(connection, orgId, currency, now, periodStart, current);
    }
    LocalDate firstDay = periodStart.atZone(zone).toLocalDate();
    List<MemberLeft> left = new ArrayList<>();
    for (Budget budget : members) {
      BigDecimal spent = spent(byMember, firstDay, running, budget.memberId(), now);
      left.add(
          new MemberLeft(
              budget.memberId(), budget.amount(), spent, budget.amount().subtract(spent)));
    }
    return left;
  }

  /** A member's spend this period: their usage at the rates, and their sessions' since rated. */
  private static BigDecimal spent(
      Map<String, SortedMap<LocalDate, BigDecimal>> byMember,
      LocalDate firstDay,
      List<RunningSessions.Session> running,
      String memberId,
      Instant now) {
    BigDecimal used =
        byMember.getOrDefault(memberId, new TreeMap<>()).tailMap(firstDay).values().stream()
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    return used.add(unrated(running, memberId, now));
  }

  private static Optional<Crossing> crossing(Forecast path, Limit limit) {
    return path.crossing(limit.amount()).map(at -> new Crossing(limit.what(), limit.amount(), at));
  }

  /** The running sessions' cost since last rated: all of them, or one member's. */
  private static BigDecimal unrated(
      List<RunningSessions.Session> running, String memberId, Instant now) {
    return running.stream()
        .filter(s -> memberId == null || memberId.equals(s.memberId()))
        .map(s -> s.unrated(now))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  /** The draws' seed of a subject: from its id, the same on every node and every run. */
  static long seed(String subject) {
    return UUID.nameUUIDFromBytes(subject.getBytes(StandardCharsets.UTF_8))
        .getMostSignificantBits();
  }
}
